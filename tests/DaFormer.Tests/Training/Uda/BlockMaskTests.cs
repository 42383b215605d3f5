using DaFormer.Training.Uda;
using FsCheck;
using FsCheck.Fluent;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

/// The MIC block mask against the original `BlockMaskGenerator` (fixture mic_masking: masks, grids
/// and masked images exact), and its properties over many draws.
public class BlockMaskTests
{
    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static TheoryData<int> Cases() => new() { 0, 1, 2 };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Grid_shape_follows_pythons_half_to_even_round(int k)
    {
        var c = MicFixture.Manifest.GetProperty("block_masks")[k];
        var shape = c.GetProperty("img_shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var grid = c.GetProperty("grid_shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var (rows, cols) = BlockMask.GridShape(shape[2], shape[3], c.GetProperty("block_size").GetInt32());
        Assert.Equal((grid[2], grid[3]), (rows, cols));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mask_and_masked_image_from_the_recorded_grid_equal_the_original_exactly(int k)
    {
        var c = MicFixture.Manifest.GetProperty("block_masks")[k];
        var img = MicFixture.T($"mask{k}.img");
        var mask = BlockMask.FromGrid(MicFixture.T($"mask{k}.grid"), c.GetProperty("mask_ratio").GetDouble(), (int)img.shape[2], (int)img.shape[3]);
        Assert.True(Same(MicFixture.T($"mask{k}.mask"), mask), $"mask{k}");
        Assert.True(Same(MicFixture.T($"mask{k}.masked_img"), img * mask), $"mask{k}.masked_img");
        Assert.Equal(c.GetProperty("keep_fraction").GetDouble(), mask.mean().item<float>(), 6);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_generator_seeded_like_torch_manual_seed_draws_the_recorded_grid(int k)
    {
        // libtorch's CPU generator is PyTorch's, so the original's `torch.manual_seed(s); torch.rand(shape)` repeats here.
        var c = MicFixture.Manifest.GetProperty("block_masks")[k];
        var img = MicFixture.T($"mask{k}.img");
        using var g = new Generator((ulong)c.GetProperty("torch_seed").GetInt32());
        var (masked, mask) = BlockMask.Apply(img, c.GetProperty("block_size").GetInt32(), c.GetProperty("mask_ratio").GetDouble(), g);
        Assert.True(Same(MicFixture.T($"mask{k}.mask"), mask));
        Assert.True(Same(MicFixture.T($"mask{k}.masked_img"), masked));
    }

    [Fact]
    public void The_masked_loss_cases_masked_image_follows_from_its_grid_and_its_torch_seed()
    {
        // The masked-loss case of the fixture (mode separatetrg: no augmentation, so the grid is the
        // first torch draw after torch.manual_seed(104); the HRDA crop box comes from numpy).
        var m = MicFixture.Manifest.GetProperty("masked_loss");
        var (block, ratio) = (m.GetProperty("mask_block_size").GetInt32(), m.GetProperty("mask_ratio").GetDouble());
        var target = MicFixture.T("loss.target_img");
        int h = (int)target.shape[2], w = (int)target.shape[3];
        var mask = BlockMask.FromGrid(MicFixture.T("loss.grid"), ratio, h, w);
        Assert.True(Same(MicFixture.T("loss.masked_img"), target * mask));
        using var g = new Generator((ulong)m.GetProperty("torch_seed_before_call").GetInt32());
        Assert.True(Same(MicFixture.T("loss.masked_img"), BlockMask.Apply(target, block, ratio, g).Masked));
    }

    static readonly Gen<(int Block, int Rows, int Cols, double Ratio, int Seed)> Settings =
        from block in Gen.Elements(4, 8, 16, 32)
        from rows in Gen.Choose(1, 6)
        from cols in Gen.Choose(1, 6)
        from ratio in Gen.Choose(0, 9).Select(x => x / 10.0)
        from seed in Gen.Choose(0, 100000)
        select (block, rows, cols, ratio, seed);

    [FsCheck.Xunit.Property(MaxTest = 60)]
    public Property Mask_has_the_image_shape_is_binary_and_constant_on_every_block() =>
        Prop.ForAll(Arb.From(Settings), s =>
        {
            using var scope = NewDisposeScope();
            int h = s.Rows * s.Block, w = s.Cols * s.Block;
            using var g = new Generator((ulong)s.Seed);
            var grid = BlockMask.Grid(2, h, w, s.Block, g);
            var mask = BlockMask.FromGrid(grid, s.Ratio, h, w);
            var binary = mask.eq(0).logical_or(mask.eq(1)).all().item<bool>();
            // Constant on blocks: max-pooling and min-pooling over each block agree and equal the grid decision.
            var blockMax = nn.functional.max_pool2d(mask, s.Block);
            var blockMin = -nn.functional.max_pool2d(-mask, s.Block);
            var decision = grid.gt(s.Ratio).to(ScalarType.Float32);
            return mask.shape.SequenceEqual(new long[] { 2, 1, h, w }) && binary
                   && Same(blockMax, blockMin) && Same(blockMax, decision);
        });

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(0.9)]
    public void Masked_share_approaches_the_ratio_over_many_draws(double ratio)
    {
        // 200 draws of a 16×16 grid (as 1024/64 in MIC(HRDA), here 64/4) = 51 200 blocks: the masked share's
        // standard error is ≤ 0.0023, so 0.01 is > 4 standard errors.
        double masked = 0, total = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            using var scope = NewDisposeScope();
            using var g = new Generator((ulong)(1000 + seed));
            var mask = BlockMask.FromGrid(BlockMask.Grid(1, 64, 64, 4, g), ratio, 64, 64);
            masked += 1 - mask.mean().item<float>();
            total += 1;
        }
        Assert.InRange(masked / total, ratio - 0.01, ratio + 0.01);
    }

    [Fact]
    public void An_image_too_small_for_one_block_is_a_clear_error()
    {
        using var g = new Generator(1);
        var e = Assert.Throws<ArgumentException>(() => BlockMask.Grid(1, 20, 20, 64, g));
        Assert.Contains("64-pixel block", e.Message);
    }
}
