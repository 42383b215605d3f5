using DaFormer.Model;
using DaFormer.Model.Heads;
using DaFormer.Tests.Model.Baselines;
using DaFormer.Tests.Support;
using DaFormer.Training.Uda;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

/// DANet trains on three cross-entropies (mmseg `DAHead.losses`): CE(pam_cam) + CE(pam) + CE(cam),
/// each weight 1.0, logged as `decode.pam_cam.loss_seg`, `decode.pam.loss_seg`, `decode.cam.loss_seg`;
/// inference uses pam_cam only. Checked through the trainer's own seams (SegmentorTraining.Forward,
/// SupervisedStep.Run) on the r50_da_nodbn case of parity_baselines, against CE computed here by hand
/// from the original's three head outputs (`decode_logits`, `decode_logits_pam`, `decode_logits_cam`).
public class DanetTrainingLossTests
{
    static readonly string[] Outputs = ["pam_cam", "pam", "cam"];

    /// CE as the original averages it, written out: bilinear upsampling (align_corners False) to the
    /// label, −log softmax at the label, 0 at ignored (255) pixels, times the weight, mean over all pixels.
    static double HandCe(Tensor logits, Tensor label, Tensor? weight = null)
    {
        using var scope = NewDisposeScope();
        var target = label.squeeze(1);
        var up = nn.functional.interpolate(logits.to(ScalarType.Float64), [target.shape[1], target.shape[2]],
            mode: InterpolationMode.Bilinear, align_corners: false);
        var valid = target.ne(255);
        var logp = up.log_softmax(1).gather(1, where(valid, target, zeros_like(target)).unsqueeze(1)).squeeze(1);
        var perPixel = -logp * valid.to(ScalarType.Float64);
        if (weight is not null) perPixel = perPixel * weight.to(ScalarType.Float64);
        return perPixel.sum().ToDouble() / target.numel();
    }

    static string Io(string output) => output == "pam_cam" ? "decode_logits" : "decode_logits_" + output;

    [Fact]
    public void The_trainers_forward_sums_three_CE_terms_under_the_original_log_names()
    {
        using var scope = NewDisposeScope();
        var fixture = new BaselineFixture("r50_da_nodbn");
        using var model = fixture.LoadModel();
        model.to(ScalarType.Float64);
        var io = fixture.Io();
        var label = fixture.Grads()["label"];
        var forward = SegmentorTraining.Forward(model, io["input"].to(ScalarType.Float64), label, weight: null);

        var expectedKeys = Outputs.SelectMany(o => new[] { $"decode.{o}.loss_seg", $"decode.{o}.acc_seg" }).Order();
        Assert.Equal(expectedKeys, forward.Logs.Keys.Order());
        var sum = 0.0;
        foreach (var o in Outputs)
        {
            var hand = HandCe(io[Io(o)], label);
            Assert.True(Math.Abs(forward.Logs[$"decode.{o}.loss_seg"] - hand) <= 1e-5 * hand, $"{o}: {forward.Logs[$"decode.{o}.loss_seg"]:R} vs {hand:R}");
            sum += hand;
        }
        Assert.True(Math.Abs(forward.Loss.ToDouble() - sum) <= 1e-5 * sum, $"total {forward.Loss.ToDouble():R} vs {sum:R}");
        // The original's summed training loss of the same forward.
        TensorAssert.LossClose(forward.Loss.ToDouble(), fixture.Grads()["loss"].item<float>());
        // The logits the trainer shows are the inference output (pam_cam).
        TensorAssert.ForwardClose(forward.Logits.to(ScalarType.Float32), io["decode_logits"], "training logits");
    }

    [Fact]
    public void Pixel_weights_multiply_every_one_of_the_three_terms()
    {
        using var scope = NewDisposeScope();
        var fixture = new BaselineFixture("r50_da_nodbn");
        using var model = fixture.LoadModel();
        model.to(ScalarType.Float64);
        var input = fixture.Io()["input"].to(ScalarType.Float64);
        var label = fixture.Grads()["label"];
        var weight = rand([label.shape[0], label.shape[2], label.shape[3]], dtype: ScalarType.Float64, generator: new Generator(7));
        var output = model.ForwardTrain(input, label, weight);
        // The head's own three outputs, taken apart from the segmentor's loss code.
        var heads = ((DaHead)model.decode_head).ForwardTrain(model.ExtractFeatures(input));
        Assert.Equal(["decode.pam_cam", "decode.pam", "decode.cam"], heads.Select(h => h.Name));
        foreach (var (name, logits) in heads)
        {
            var hand = HandCe(logits, label, weight);
            var ours = output.Term(name + ".loss_seg").ToDouble();
            Assert.True(Math.Abs(ours - hand) <= 1e-9 * hand, $"{name}: {ours:R} vs {hand:R}");
        }
        Assert.Equal(3, output.LossTerms.Count);
    }

    [Fact]
    public void A_supervised_step_back_propagates_into_both_auxiliary_classifiers()
    {
        using var scope = NewDisposeScope();
        var fixture = new BaselineFixture("r50_da_nodbn");
        using var model = fixture.LoadModel();
        var head = (DaHead)model.decode_head;
        var logs = SupervisedStep.Run(model, fixture.Io()["input"], fixture.Grads()["label"]);
        foreach (var o in Outputs) Assert.True(double.IsFinite(logs[$"decode.{o}.loss_seg"]) && logs[$"decode.{o}.loss_seg"] > 0, o);
        Assert.False(logs.ContainsKey("decode.loss_seg"));
        // pam_conv_seg and cam_conv_seg feed only the auxiliary losses: a gradient there means they are in the sum.
        foreach (var (name, conv) in new[] { ("pam_conv_seg", head.pam_conv_seg), ("cam_conv_seg", head.cam_conv_seg), ("conv_seg", head.conv_seg) })
        {
            var g = conv.weight!.grad;
            Assert.True(g is not null, $"{name}: no gradient");
            Assert.True(g!.abs().sum().ToDouble() > 0, $"{name}: zero gradient");
        }
    }
}
