using DaFormer.Model;

namespace DaFormer.Tests.Model;

public class FlopCountTests
{
    // Issue 2 states the cost of a 512² forward of the original: 120 GFLOP (MiT-b0 + DAFormer head,
    // 256 channels) and 253 GFLOP (MiT-b5). The analytic count must land on those figures.
    [Theory]
    [InlineData("mit_b0", 120)]
    [InlineData("mit_b5", 253)]
    public void Daformer_512_forward_matches_the_published_cost(string encoder, double gflop)
    {
        var f = FlopCount.Forward(new SegmentorSpec(encoder, "daformer_sepaspp"), 512, 512)!.Value / 1e9;
        Assert.InRange(f, gflop * 0.97, gflop * 1.03);
    }

    [Fact]
    public void Cost_scales_with_pixels_and_unknown_architectures_give_null()
    {
        var a = FlopCount.Forward(new SegmentorSpec("mit_b0", "daformer_sepaspp"), 512, 512)!.Value;
        var b = FlopCount.Forward(new SegmentorSpec("mit_b0", "daformer_sepaspp"), 512, 1024)!.Value;
        Assert.InRange(b / a, 1.95, 2.3); // attention grows faster than linearly, everything else linearly
        Assert.Null(FlopCount.Forward(new SegmentorSpec("r101v1c", "dlv2red"), 512, 512));
    }
}
