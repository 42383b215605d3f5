using DaFormer.Model;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

/// The original averages the per-pixel CE over ALL pixels, ignored ones included (spec §3.4, §9.8).
public class LossTests
{
    [Fact]
    public void Ignored_pixels_count_in_the_mean_with_zero_loss()
    {
        using var scope = NewDisposeScope();
        // Uniform logits: every valid pixel has CE = ln(19); half of the 8×8 label is 255.
        var logits = zeros(1, 19, 2, 2);
        var label = full([1, 1, 8, 8], 3L, dtype: ScalarType.Int64);
        label[.., .., 0..4, ..] = tensor(255L);
        var loss = Segmentor.Loss(logits, label).item<float>();
        Assert.Equal(Math.Log(19) / 2, loss, 5);
    }

    [Fact]
    public void Pixel_weights_multiply_before_the_mean_over_all_pixels()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(2, 19, 4, 4);
        var label = zeros([2, 1, 4, 4], dtype: ScalarType.Int64);
        var weight = zeros(2, 4, 4);
        weight[0] = tensor(0.5f); // image 0 weighted 0.5, image 1 weight 0 (e.g. no confident pseudo-labels)
        var loss = Segmentor.Loss(logits, label, weight).item<float>();
        Assert.Equal(Math.Log(19) * 0.5 / 2, loss, 5);
    }

    [Fact]
    public void Logits_are_upsampled_bilinearly_to_the_label_size_before_the_loss()
    {
        using var scope = NewDisposeScope();
        // A 1×1 logit map that strongly favours class 7 upsamples to a constant map: loss ≈ 0 for label 7.
        var logits = zeros(1, 19, 1, 1);
        logits[0, 7] = tensor(50f);
        var good = Segmentor.Loss(logits, full([1, 1, 6, 6], 7L, dtype: ScalarType.Int64)).item<float>();
        var bad = Segmentor.Loss(logits, full([1, 1, 6, 6], 2L, dtype: ScalarType.Int64)).item<float>();
        Assert.True(good < 1e-6);
        Assert.Equal(50.0, bad, 3);
        Assert.Equal(0.0, Segmentor.Accuracy(logits, full([1, 1, 6, 6], 255L, dtype: ScalarType.Int64)));
        Assert.Equal(100.0, Segmentor.Accuracy(logits, full([1, 1, 6, 6], 7L, dtype: ScalarType.Int64)));
    }
}
