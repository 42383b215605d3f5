using DaFormer.Model.Runtime;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DaFormer.Training.Uda;

/// The MIC block mask (`masking_transforms.BlockMaskGenerator`): a grid of U(0,1) draws per image,
/// a block is kept where its draw exceeds the mask ratio, the grid is nearest-upsampled to the image
/// and multiplied onto it (masked pixels become 0 = the mean colour in normalised space).
public static class BlockMask
{
    /// Grid size (rows, columns) = (round(H/b), round(W/b)) with Python's `round` (half to even):
    /// 80/32 = 2.5 → 2, 112/32 = 3.5 → 4.
    public static (int Rows, int Cols) GridShape(int height, int width, int blockSize)
    {
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "block size must be ≥ 1");
        return ((int)Math.Round((double)height / blockSize, MidpointRounding.ToEven),
                (int)Math.Round((double)width / blockSize, MidpointRounding.ToEven));
    }

    /// The random draw: (B,1,rows,cols) float32 U(0,1) from `generator` (a CPU generator, so the
    /// draw is the same on every device), then moved to `device`.
    public static Tensor Grid(long batch, int height, int width, int blockSize, Generator generator, Device? device = null)
    {
        var (rows, cols) = GridShape(height, width, blockSize);
        if (rows < 1 || cols < 1)
            throw new ArgumentException($"a {height}×{width} image has no {blockSize}-pixel block (grid {rows}×{cols}); use a block size below twice the image side");
        using var scope = NewDisposeScope();
        var g = rand([batch, 1, rows, cols], generator: generator, dtype: ScalarType.Float32);
        return (device is null ? g : g.to(device)).MoveToOuterDisposeScope();
    }

    /// (B,1,H,W) float32 mask from a grid: 1 where the draw is > `ratio`, upsampled with PyTorch's
    /// legacy `nearest` (source row = floor(y · rows / H)), so blocks are unequal when H is not a
    /// multiple of the block size.
    public static Tensor FromGrid(Tensor grid, double ratio, int height, int width)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var keep = grid.Greater(ratio).to(ScalarType.Float32);
        return F.interpolate(keep, [height, width], mode: InterpolationMode.Nearest).MoveToOuterDisposeScope();
    }

    /// `mask_image`: the image (B,C,H,W) times a fresh mask drawn from `generator`.
    public static (Tensor Masked, Tensor Mask) Apply(Tensor images, int blockSize, double ratio, Generator generator)
    {
        using var scope = NewDisposeScope();
        int h = (int)images.shape[2], w = (int)images.shape[3];
        var grid = Grid(images.shape[0], h, w, blockSize, generator, images.device);
        var mask = FromGrid(grid, ratio, h, w);
        return ((images * mask).MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }
}
