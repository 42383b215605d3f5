using DaFormer.Model;
using DaFormer.Model.Segmentors;

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

    // HRDA's published geometry on a 1024² crop: context view 512², detail crop 512², and at inference
    // 3 × 3 overlapping 512² windows (stride 256). Each part is checked against the plain DAFormer count.
    static void Close(double expected, double actual) => Assert.Equal(expected, actual, expected * 1e-12);

    [Fact]
    public void Hrda_counts_the_context_view_the_attention_and_the_detail_windows()
    {
        var spec = new SegmentorSpec("mit_b0", "daformer_sepaspp");
        var hrda = new HrdaSpec();
        var f512 = FlopCount.Forward(spec, 512, 512)!.Value;
        // The scale-attention head is a DAFormer head with a 1×1 fusion, 256 channels and 19 outputs:
        // the conv1 variant of the DAFormer head, counted through Forward's own switch.
        var attention = FlopCount.Forward(spec with { Head = "daformer_conv1" }, 512, 512)!.Value - FlopCount.Encoder(spec, 512, 512)!.Value;
        var train = FlopCount.HrdaTrainForward(spec, hrda, 1024, 1024)!.Value;
        Close(2 * f512 + attention, train);
        var infer = FlopCount.HrdaInference(spec, hrda, 1024, 1024)!.Value;
        Close(f512 + attention + 9 * f512, infer);
        // A fixed attention has no head; non-overlapping windows tile the crop 2 × 2.
        Close(2 * f512, FlopCount.HrdaTrainForward(spec, hrda with { FixedAttention = 0.5 }, 1024, 1024)!.Value);
        Close(f512 + attention + 4 * f512, FlopCount.HrdaInference(spec, hrda with { HrSlideOverlapping = false }, 1024, 1024)!.Value);
        Assert.Null(FlopCount.HrdaTrainForward(new SegmentorSpec("r101v1c", "dlv2red"), hrda, 1024, 1024));
    }
}
