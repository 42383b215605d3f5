namespace DaFormer.Training.Data.Synthetic;

/// Train IDs of the 19 Cityscapes classes (spec §1.2) and the label IDs GTA/Cityscapes files store.
public static class CsClass
{
    public const byte Road = 0, Sidewalk = 1, Building = 2, Wall = 3, Fence = 4, Pole = 5, Light = 6, Sign = 7,
        Vegetation = 8, Terrain = 9, Sky = 10, Person = 11, Rider = 12, Car = 13, Truck = 14, Bus = 15, Train = 16,
        Motorcycle = 17, Bicycle = 18;

    /// The 19 class names (the one table in LabelMaps).
    public static IReadOnlyList<string> Names => LabelMaps.CityscapesClasses;

    /// trainId → Cityscapes/GTA label ID (spec §1.2), from the official table in LabelMaps.
    public static readonly byte[] LabelIdOfTrainId =
        Enumerable.Range(0, LabelMaps.NumClasses).Select(t => (byte)LabelMaps.CityscapesIdOfTrainId(t)!.Value).ToArray();

    /// Official Cityscapes colours of label IDs 0…33 (the GTA label palette); other indices black.
    public static IReadOnlyList<(byte R, byte G, byte B)> LabelIdPalette { get; } = BuildPalette();

    static (byte, byte, byte)[] BuildPalette()
    {
        var p = new (byte, byte, byte)[256];
        (int id, byte r, byte g, byte b)[] known =
        [
            (5, 111, 74, 0), (6, 81, 0, 81), (7, 128, 64, 128), (8, 244, 35, 232), (9, 250, 170, 160), (10, 230, 150, 140),
            (11, 70, 70, 70), (12, 102, 102, 156), (13, 190, 153, 153), (14, 180, 165, 180), (15, 150, 100, 100),
            (16, 150, 120, 90), (17, 153, 153, 153), (18, 153, 153, 153), (19, 250, 170, 30), (20, 220, 220, 0),
            (21, 107, 142, 35), (22, 152, 251, 152), (23, 70, 130, 180), (24, 220, 20, 60), (25, 255, 0, 0),
            (26, 0, 0, 142), (27, 0, 0, 70), (28, 0, 60, 100), (29, 0, 0, 90), (30, 0, 0, 110), (31, 0, 80, 100),
            (32, 0, 0, 230), (33, 119, 11, 32),
        ];
        foreach (var (id, r, g, b) in known) p[id] = (r, g, b);
        return p;
    }
}

/// What a domain's scenes contain: expected object counts per image (Poisson means) and the share
/// of roadside blocks of each kind (the rest are buildings). The two domains differ here on purpose
/// (spec: different class frequencies), like GTA (many vehicles) vs Cityscapes (many pedestrians, bikes).
public sealed record SceneProfile(
    double Cars, double Trucks, double Buses, double Trains, double Persons,
    double Motorcyclists, double Cyclists, double ParkedBicycles, double ParkedMotorcycles,
    double PoleSpacingMetres, double LightShare, double SignShare,
    double VegetationBlocks, double TerrainBlocks, double WallBlocks, double FenceBlocks)
{
    /// Game-like source: vehicle-heavy streets, few pedestrians, rare two-wheelers and trains.
    public static SceneProfile Source { get; } = new(
        Cars: 4.0, Trucks: 0.7, Buses: 0.35, Trains: 0.06, Persons: 1.2,
        Motorcyclists: 0.25, Cyclists: 0.12, ParkedBicycles: 0.08, ParkedMotorcycles: 0.15,
        PoleSpacingMetres: 22, LightShare: 0.25, SignShare: 0.35,
        VegetationBlocks: 0.22, TerrainBlocks: 0.12, WallBlocks: 0.08, FenceBlocks: 0.08);

    /// Camera-like target: more pedestrians and bicycles, fewer trucks, more vegetation.
    public static SceneProfile Target { get; } = new(
        Cars: 3.0, Trucks: 0.25, Buses: 0.2, Trains: 0.1, Persons: 3.0,
        Motorcyclists: 0.1, Cyclists: 0.5, ParkedBicycles: 0.5, ParkedMotorcycles: 0.08,
        PoleSpacingMetres: 16, LightShare: 0.35, SignShare: 0.4,
        VegetationBlocks: 0.32, TerrainBlocks: 0.1, WallBlocks: 0.08, FenceBlocks: 0.12);
}
