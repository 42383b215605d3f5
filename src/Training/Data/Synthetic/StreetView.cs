namespace DaFormer.Training.Data.Synthetic;

/// A pinhole camera 1.5 m above a flat street (x right, z forward, heights in metres): where a
/// point at lateral position X, height h and depth Z lands in the image. Everything drawn shrinks
/// with depth toward the horizon, as in a dash-cam frame.
public sealed record StreetView(int Width, int Height, float Focal, float Horizon, float VanishX, float CameraX)
{
    public const float CameraHeight = 1.5f;

    public float X(float lateral, float depth) => VanishX + Focal * (lateral - CameraX) / depth;
    public float Y(float height, float depth) => Horizon + Focal * (CameraHeight - height) / depth;
    public float PixelsPerMetre(float depth) => Focal / depth;
    /// Depth of the ground seen at image row y (below the horizon).
    public float DepthOfRow(float y) => Focal * CameraHeight / MathF.Max(y - Horizon, 1e-3f);
    /// Image x of the ground line at lateral X on image row y.
    public float GroundLineX(float lateral, float y) => VanishX + (lateral - CameraX) / CameraHeight * (y - Horizon);
    /// Nearest depth visible at the bottom row.
    public float NearestDepth => DepthOfRow(Height);

    public static StreetView Random(int width, int height, Random rng, float roadHalfWidth) => new(
        width, height,
        Focal: width * Draw(rng, 0.7f, 0.95f),
        Horizon: height * Draw(rng, 0.36f, 0.46f),
        VanishX: width * Draw(rng, 0.4f, 0.6f),
        CameraX: roadHalfWidth * Draw(rng, -0.2f, 0.55f));

    public static float Draw(Random rng, float lo, float hi) => lo + (float)rng.NextDouble() * (hi - lo);
}
