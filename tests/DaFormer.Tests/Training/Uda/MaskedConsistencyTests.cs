using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Data.Pipeline;
using DaFormer.Training.Randomness;
using DaFormer.Training.Uda;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

/// The MIC step on a single-scale (DAFormer) student, checked against an independent computation:
/// the block mask rebuilt by repeating the grid (not by interpolation), the pixel-weighted CE written
/// out with log_softmax/gather, and gradients of that loss.
public class MaskedConsistencyTests
{
    static Segmentor TinyStudent()
    {
        manual_seed(5);
        var s = Architectures.Build(new SegmentorSpec("mit_b0", "daformer_sepaspp", NumClasses: 19, Channels: 16));
        s.eval();   // no Dropout / DropPath: the two forwards must see the same network
        return s;
    }

    /// mean over all pixels of w · CE(upsampled logits, label), ignored pixels (255) contributing 0.
    static Tensor WeightedCe(Tensor logits, Tensor label, Tensor weight)
    {
        var up = nn.functional.interpolate(logits, [label.shape[1], label.shape[2]], mode: InterpolationMode.Bilinear, align_corners: false);
        var valid = label.ne(255);
        var safe = label.masked_fill(valid.logical_not(), 0);
        var nll = -up.log_softmax(1).gather(1, safe.unsqueeze(1)).squeeze(1);
        return (nll * valid.to(ScalarType.Float32) * weight).mean();
    }

    [Fact]
    public void Masked_loss_is_lambda_times_the_weighted_CE_of_the_masked_target_with_its_gradients()
    {
        using var scope = NewDisposeScope();
        using var student = TinyStudent();
        manual_seed(11);
        var timg = randn(2, 3, 32, 48);
        var label = randint(0, 19, [2, 32, 48], dtype: ScalarType.Int64);
        label[0, ..4, ..] = 255;
        var weight = rand(2, 32, 48);
        var mic = new MicConfig { Mode = MaskMode.SeparateTarget, BlockSize = 8, MaskRatio = 0.5, Lambda = 2.0 };
        var random = RandomStreams.ForIteration(runSeed: 7, iteration: 3);

        var result = MaskedConsistency.Step(student, new MaskedInputs(timg, label.unsqueeze(1), weight), mic,
            Normalization.ImageNet.Mean, Normalization.ImageNet.Std, random);
        var grads = student.parameters().Select(p => p.grad!.clone()).ToList();

        // Independent: grid 4×6 from the same stream, each cell repeated over its 8×8 block.
        using var g = new Generator((ulong)random.TorchSeed(Purpose.MicMask));
        var grid = rand([2, 1, 4, 6], generator: g);
        var mask = grid.gt(0.5).to(ScalarType.Float32).repeat_interleave(8, 2).repeat_interleave(8, 3);
        Assert.True(result.MaskedImage.eq(timg * mask).all().item<bool>());
        student.zero_grad();
        var logits = student.DecodeLogits(student.ExtractFeatures(timg * mask));
        var expected = WeightedCe(logits, label, weight) * 2.0;
        TensorAssert.LossClose(result.Logs["decode.loss_seg"], expected.item<float>());
        expected.backward();
        foreach (var (p, got) in student.parameters().Zip(grads))
            TensorAssert.ForwardClose(got, p.grad!, "gradient");

        var up = nn.functional.interpolate(logits, [32, 48], mode: InterpolationMode.Bilinear, align_corners: false);
        var acc = up.argmax(1).eq(label).to(ScalarType.Float64).mean().item<double>() * 100;
        Assert.Equal(acc, result.Logs["decode.acc_seg"], 6);
    }

    [Fact]
    public void Separate_mode_trains_on_source_0_with_ground_truth_and_target_0_with_its_pseudo_label()
    {
        using var scope = NewDisposeScope();
        var img = randn(2, 3, 4, 4); var timg = randn(2, 3, 4, 4);
        var gt = randint(0, 19, [2, 1, 4, 4], dtype: ScalarType.Int64);
        var pl = randint(0, 19, [2, 4, 4], dtype: ScalarType.Int64);
        var w = rand(2, 4, 4);
        var inputs = MaskedConsistency.Select(MaskMode.Separate, img, gt, timg, pl, w);
        Assert.True(inputs.Image[0].eq(img[0]).all().item<bool>() && inputs.Image[1].eq(timg[0]).all().item<bool>());
        Assert.True(inputs.Label[0].eq(gt[0]).all().item<bool>() && inputs.Label[1, 0].eq(pl[0]).all().item<bool>());
        Assert.True(inputs.Weight![0].eq(1).all().item<bool>() && inputs.Weight[1].eq(w[0]).all().item<bool>());
        var e = Assert.Throws<ArgumentException>(() => MaskedConsistency.Select(MaskMode.Separate, img[..1], gt[..1], timg[..1], pl[..1], w[..1]));
        Assert.Contains("batch size 2", e.Message);
        Assert.Null(MaskedConsistency.Select(MaskMode.SeparateSource, img, gt, timg, pl, w).Weight);
    }

    [Fact]
    public void The_masked_augmentation_draws_one_blur_sigma_for_the_whole_batch()
    {
        var mic = new MicConfig();
        var seen = 0;
        for (var seed = 0; seed < 40; seed++)
        {
            var d = MaskedConsistency.DrawAugmentation(new Random(seed), 4, mic);
            if (d.BlurSigma is not { } s) continue;
            seen++;
            Assert.All(s, x => Assert.Equal(s[0], x));
            Assert.InRange(s[0], 0.15, 1.15);
        }
        Assert.InRange(seen, 5, 35);   // the blur switch fires about half of the time
    }
}
