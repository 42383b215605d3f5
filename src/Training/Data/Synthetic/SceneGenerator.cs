using static DaFormer.Training.Data.Synthetic.CsClass;

namespace DaFormer.Training.Data.Synthetic;

/// Procedural street scenes: sky, a street (road with markings between two sidewalks) running to a
/// vanishing point, roadside blocks (buildings with windows, trees, terrain, walls, fences), a far
/// end, and objects placed in 3-D (cars, trucks, buses, trams, people, riders, bikes, poles with
/// lights and signs), painted far to near. Returns flat albedo colours and exact train-ID labels; the
/// domain look is applied afterwards (DomainStyle).
public static class SceneGenerator
{
    enum BlockKind { Building, Vegetation, Terrain, Wall, Fence }
    sealed record Block(float Z0, float Z1, BlockKind Kind, float HeightM, Rgb Colour, float WindowSpacing, float FloorHeight);

    static float U(Random r, float lo, float hi) => StreetView.Draw(r, lo, hi);

    public static Canvas Generate(int width, int height, SceneProfile p, Random rng)
    {
        var c = new Canvas(width, height);
        float roadHalf = U(rng, 3.5f, 7f), walk = U(rng, 1.8f, 4f);
        var v = StreetView.Random(width, height, rng, roadHalf);
        var zEnd = U(rng, 70f, 160f);
        var zMax = MathF.Min(60f, zEnd * 0.8f);

        Sky(c, v, rng);
        FarEnd(c, v, zEnd, rng);
        Side(c, v, -(roadHalf + walk), zEnd, p, rng);
        Side(c, v, roadHalf + walk, zEnd, p, rng);
        Ground(c, v, roadHalf, walk, zEnd, rng);

        var things = new List<(float Z, Action Draw)>();
        float Depth() => v.NearestDepth * MathF.Exp((float)rng.NextDouble() * MathF.Log(MathF.Max(zMax / v.NearestDepth, 1.5f)));
        float Lane() => U(rng, -roadHalf + 1.1f, roadHalf - 1.1f);
        float Walk(float side) => side * U(rng, roadHalf + 0.4f, roadHalf + walk - 0.3f);
        float Side1() => rng.Next(2) == 0 ? -1f : 1f;
        void Add(float z, Action draw) => things.Add((z, draw));

        for (int i = 0, n = Poisson(p.Cars, rng); i < n; i++) { float z = Depth(), x = Lane(); var rr = Fork(rng); Add(z, () => Things.DrawCar(c, v, x, z, rr)); }
        for (int i = 0, n = Poisson(p.Trucks, rng); i < n; i++) { float z = Depth(), x = Lane(); var rr = Fork(rng); Add(z, () => Things.DrawTruck(c, v, x, z, rr)); }
        for (int i = 0, n = Poisson(p.Buses, rng); i < n; i++) { float z = Depth(), x = Lane(); var rr = Fork(rng); Add(z, () => Things.DrawBus(c, v, x, z, rr)); }
        for (int i = 0, n = Poisson(p.Trains, rng); i < n; i++) { float z = Depth(), x = U(rng, -1f, 1f); var rr = Fork(rng); Add(z, () => Things.DrawTrain(c, v, x, z, rr)); }
        for (int i = 0, n = Poisson(p.Persons, rng); i < n; i++)
        {
            float z = Depth(), x = rng.NextDouble() < 0.85 ? Walk(Side1()) : Lane();
            var rr = Fork(rng); Add(z, () => Things.DrawPerson(c, v, x, z, rr));
        }
        for (int i = 0, n = Poisson(p.Motorcyclists, rng); i < n; i++) { float z = Depth(), x = Lane(); var rr = Fork(rng); Add(z, () => Things.DrawTwoWheeler(c, v, x, z, rr, true, true)); }
        for (int i = 0, n = Poisson(p.Cyclists, rng); i < n; i++)
        {
            float s = Side1(), z = Depth(), x = s * (roadHalf - U(rng, 0.5f, 1.2f));
            var rr = Fork(rng); Add(z, () => Things.DrawTwoWheeler(c, v, x, z, rr, false, true));
        }
        for (int i = 0, n = Poisson(p.ParkedBicycles, rng); i < n; i++) { float z = Depth(), x = Walk(Side1()); var rr = Fork(rng); Add(z, () => Things.DrawTwoWheeler(c, v, x, z, rr, false, false)); }
        for (int i = 0, n = Poisson(p.ParkedMotorcycles, rng); i < n; i++) { float z = Depth(), x = Walk(Side1()); var rr = Fork(rng); Add(z, () => Things.DrawTwoWheeler(c, v, x, z, rr, true, false)); }
        foreach (var side in new[] { -1f, 1f })
            for (var z = v.NearestDepth * U(rng, 0.8f, 2.5f); z < zMax; z += (float)p.PoleSpacingMetres * U(rng, 0.7f, 1.3f))
            {
                var zz = z;
                bool light = rng.NextDouble() < p.LightShare, sign = !light && rng.NextDouble() < p.SignShare / (1 - p.LightShare);
                var rr = Fork(rng);
                var x = side * (roadHalf + 0.35f);
                Add(zz, () => Things.DrawPole(c, v, x, zz, rr, light, sign, -side));
            }

        foreach (var t in things.OrderByDescending(t => t.Z)) t.Draw();
        return c;
    }

    static Random Fork(Random rng) => new(rng.Next());

    static int Poisson(double mean, Random rng)
    {
        var l = Math.Exp(-mean);
        var k = 0;
        for (var prod = rng.NextDouble(); prod > l; prod *= rng.NextDouble()) k++;
        return k;
    }

    static void Sky(Canvas c, StreetView v, Random rng)
    {
        var top = Rgb.Of(95, 150, 225).Jitter(rng, 15);
        var low = Rgb.Of(185, 210, 240).Jitter(rng, 10);
        for (var y = 0; y < c.Height; y++)
        {
            var t = Math.Clamp(y / MathF.Max(v.Horizon, 1f), 0f, 1f);
            var col = Rgb.Of((int)(top.R + (low.R - top.R) * t), (int)(top.G + (low.G - top.G) * t), (int)(top.B + (low.B - top.B) * t));
            for (var x = 0; x < c.Width; x++) c.Set(x, y, CsClass.Sky, col);
        }
    }

    /// The street's far end: a row of facades or trees across the whole view at depth zEnd.
    static void FarEnd(Canvas c, StreetView v, float zEnd, Random rng)
    {
        var ground = v.Y(0, zEnd);
        for (var x = 0; x < c.Width;)
        {
            var w = rng.Next(3, Math.Max(4, c.Width / 8));
            var veg = rng.NextDouble() < 0.35;
            var h = veg ? U(rng, 5, 12) : U(rng, 8, 30);
            var col = veg ? Rgb.Of(70, 115, 50).Jitter(rng, 15) : BuildingColour(rng);
            for (var i = x; i < Math.Min(c.Width, x + w); i++) c.Column(i, v.Y(h, zEnd), ground + 1, veg ? Vegetation : Building, col);
            x += w;
        }
    }

    static Rgb BuildingColour(Random rng) => (rng.Next(5) switch
    {
        0 => Rgb.Of(190, 170, 140), 1 => Rgb.Of(150, 85, 65), 2 => Rgb.Of(130, 130, 135), 3 => Rgb.Of(210, 205, 195), _ => Rgb.Of(170, 150, 120),
    }).Jitter(rng, 12);

    static List<Block> Blocks(float zEnd, SceneProfile p, Random rng)
    {
        var blocks = new List<Block>();
        for (var z = 0.3f; z < zEnd;)
        {
            var u = rng.NextDouble();
            var kind = u < p.VegetationBlocks ? BlockKind.Vegetation
                : (u -= p.VegetationBlocks) < p.TerrainBlocks ? BlockKind.Terrain
                : (u -= p.TerrainBlocks) < p.WallBlocks ? BlockKind.Wall
                : u - p.WallBlocks < p.FenceBlocks ? BlockKind.Fence : BlockKind.Building;
            var len = kind == BlockKind.Building ? U(rng, 8, 25) : U(rng, 5, 15);
            var (h, col) = kind switch
            {
                BlockKind.Building => (U(rng, 7, 28), BuildingColour(rng)),
                BlockKind.Vegetation => (U(rng, 3, 9), Rgb.Of(65, 115, 45).Jitter(rng, 18)),
                BlockKind.Terrain => (0f, Rgb.Of(140, 155, 85).Jitter(rng, 15)),
                BlockKind.Wall => (U(rng, 1f, 2.5f), Rgb.Of(175, 168, 150).Jitter(rng, 15)),
                _ => (U(rng, 1f, 2f), Rgb.Of(125, 100, 75).Jitter(rng, 15)),
            };
            blocks.Add(new Block(z, z + len, kind, h, col, U(rng, 2.5f, 4.5f), U(rng, 2.8f, 3.6f)));
            z += len + (rng.NextDouble() < 0.25 ? U(rng, 1, 6) : 0);
        }
        return blocks;
    }

    /// Roadside blocks on one side (lateral < 0: left), painted column by column: the facade of
    /// each column spans from its roof down to the ground line of the sidewalk's outer edge.
    static void Side(Canvas c, StreetView v, float lateral, float zEnd, SceneProfile p, Random rng)
    {
        var blocks = Blocks(zEnd, p, rng);
        var behind = BuildingColour(rng);
        var behindH = U(rng, 6, 20);
        var tree = Rgb.Of(70, 120, 50).Jitter(rng, 15);
        var phase = U(rng, 0, 6.28f);
        for (var x = 0; x < c.Width; x++)
        {
            var dx = x + 0.5f - v.VanishX;
            if (dx == 0 || Math.Sign(dx) != Math.Sign(lateral - v.CameraX)) continue;
            var yg = v.Horizon + dx * StreetView.CameraHeight / (lateral - v.CameraX);
            var z = v.DepthOfRow(yg);
            if (z >= zEnd) continue;
            var b = blocks.Find(k => z >= k.Z0 && z < k.Z1);
            if (b is null) { c.Column(x, v.Y(behindH, z * 1.3f), yg, Building, behind); continue; }
            float Roof(float h) => yg - (yg - v.Horizon) * h / StreetView.CameraHeight;
            switch (b.Kind)
            {
                case BlockKind.Building:
                    var windowCol = Rgb.Of(55, 65, 85);
                    var inWindowColumn = (z / b.WindowSpacing) % 1f is > 0.25f and < 0.7f;
                    int ya = Math.Max(0, (int)MathF.Ceiling(Roof(b.HeightM) - 0.5f)), yb = Math.Min(c.Height, (int)MathF.Ceiling(yg - 0.5f));
                    for (var y = ya; y < yb; y++)
                    {
                        var hm = (yg - (y + 0.5f)) / (yg - v.Horizon) * StreetView.CameraHeight;
                        var window = inWindowColumn && hm > 1f && (hm / b.FloorHeight) % 1f is > 0.35f and < 0.8f;
                        c.Set(x, y, Building, window ? windowCol : b.Colour);
                    }
                    break;
                case BlockKind.Vegetation:
                    var bump = b.HeightM * (1 + 0.25f * MathF.Sin(z * 0.9f + phase) + 0.1f * MathF.Sin(z * 3.1f));
                    c.Column(x, Roof(bump), yg, Vegetation, b.Colour);
                    break;
                case BlockKind.Terrain:
                    // Open ground beyond the sidewalk up to a tree line 6–14 m further out.
                    var yFar = v.Horizon + dx * StreetView.CameraHeight / (lateral + Math.Sign(lateral) * b.WindowSpacing * 3f - v.CameraX);
                    c.Column(x, yFar - (yFar - v.Horizon) * 4f / StreetView.CameraHeight, yFar, Vegetation, tree);
                    c.Column(x, yFar, yg, Terrain, b.Colour);
                    break;
                case BlockKind.Wall:
                    c.Column(x, Roof(behindH), Roof(b.HeightM), Building, behind);
                    c.Column(x, Roof(b.HeightM), yg, Wall, b.Colour);
                    break;
                case BlockKind.Fence:
                    c.Column(x, Roof(3.5f), Roof(b.HeightM), Vegetation, tree);
                    var slat = (z * 4f) % 1f < 0.5f;
                    c.Column(x, Roof(b.HeightM), yg, Fence, slat ? b.Colour : b.Colour.Scale(0.75));
                    break;
            }
        }
    }

    /// Sidewalks and road as ground-plane polygons from the far end to below the bottom edge, plus
    /// lane markings (road class, painted white).
    static void Ground(Canvas c, StreetView v, float roadHalf, float walk, float zEnd, Random rng)
    {
        float yTop = v.Y(0, zEnd), yBot = c.Height + 2;
        void Strip(float l0, float l1, byte cls, Rgb col)
        {
            Span<(float, float)> q = [(v.GroundLineX(l0, yTop), yTop), (v.GroundLineX(l1, yTop), yTop), (v.GroundLineX(l1, yBot), yBot), (v.GroundLineX(l0, yBot), yBot)];
            c.Polygon(q, cls, col);
        }
        var walkCol = Rgb.Of(165, 155, 145).Jitter(rng, 12);
        Strip(-(roadHalf + walk), -roadHalf, Sidewalk, walkCol);
        Strip(roadHalf, roadHalf + walk, Sidewalk, walkCol);
        Strip(-roadHalf - 0.15f, -roadHalf, Sidewalk, walkCol.Scale(0.8));
        Strip(roadHalf, roadHalf + 0.15f, Sidewalk, walkCol.Scale(0.8));
        Strip(-roadHalf, roadHalf, Road, Rgb.Of(85, 85, 90).Jitter(rng, 8));
        var paint = Rgb.Of(225, 225, 215);
        for (var z = v.NearestDepth * 0.8f; z < zEnd; z += 9f)
        {
            Span<(float, float)> dash = [(v.X(-0.08f, z), v.Y(0, z)), (v.X(0.08f, z), v.Y(0, z)), (v.X(0.08f, z + 4.5f), v.Y(0, z + 4.5f)), (v.X(-0.08f, z + 4.5f), v.Y(0, z + 4.5f))];
            c.Polygon(dash, Road, paint);
        }
    }
}
