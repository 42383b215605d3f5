using DaFormer.Model;
using DaFormer.Model.Segmentors;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Segmentors;

/// HRDA inference for any image size. The original fails with a shape mismatch in the fusion when a
/// side is not a multiple of 8; ours zero-pads at the bottom/right (zero = the mean colour after
/// normalisation) and cuts the logits back, so a prediction never depends on what lies beyond it.
public class HrdaAnySizeTests
{
    [Fact]
    public void Whole_and_slide_inference_work_for_sizes_not_divisible_by_8_and_equal_the_padded_run()
    {
        using var scope = NewDisposeScope();
        using var model = HrdaFixture.LoadModel();
        using var _ = no_grad();
        manual_seed(3);
        var img = randn(1, 3, 100, 150);
        var logits = model.EncodeDecode(img);
        Assert.Equal([1, 19, 100, 150], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
        // Independent check of the geometry: the same image padded by hand to 104×152 and run through
        // the (fixture-checked) divisible path gives the same logits on the original pixels.
        var padded = zeros(1, 3, 104, 152);
        padded[.., .., ..100, ..150] = img;
        var reference = model.EncodeDecode(padded)[.., .., ..100, ..150];
        Assert.True(logits.allclose(reference, rtol: 1e-5, atol: 1e-5));
        // Test-time slide with windows larger than the image, and with a ragged last window.
        Assert.Equal([1, 19, 100, 150], model.SlideInference(img, (128, 128), (64, 64)).shape);
        Assert.Equal([1, 19, 60, 70], model.SlideInference(randn(1, 3, 60, 70), (96, 128), (48, 64)).shape);
    }

    [Fact]
    public void The_inference_pieces_refuse_sizes_the_fusion_cannot_align_with_a_clear_message()
    {
        using var model = HrdaFixture.LoadModel();
        using var _ = no_grad();
        using var img = randn(1, 3, 100, 228);
        var e = Assert.Throws<DaFormerError>(() => model.ForwardInferencePieces(img));
        Assert.Contains("multiples of 8", e.Message);
    }
}
