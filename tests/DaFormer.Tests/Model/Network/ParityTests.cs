using System.Text.Json;
using DaFormer.Model;
using DaFormer.Tests.Support;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

/// Bit-level parity with the original PyTorch DAFormer on the mit_b0 fixture (manifest tolerances).
public class ParityTests
{
    [Fact]
    public void Forward_matches_the_reference_backbone_decoder_upsampled_logits_and_prediction()
    {
        using var scope = NewDisposeScope();
        using var model = ParityFixture.LoadModel();
        var io = ParityFixture.Io();
        using var _ = no_grad();
        var input = io["input"];
        var features = model.ExtractFeatures(input);
        for (var i = 0; i < 4; i++) TensorAssert.ForwardClose(features[i], io[$"backbone_out{i}"], $"backbone_out{i}");
        var logits = model.DecodeLogits(features);
        TensorAssert.ForwardClose(logits, io["decode_logits"], "decode_logits");
        var upsampled = model.EncodeDecode(input);
        TensorAssert.ForwardClose(upsampled, io["seg_logits_upsampled"], "seg_logits_upsampled");
        TensorAssert.MostlyEqual(upsampled.argmax(1), io["seg_pred"], "seg_pred");
    }

    [Fact]
    public void Loss_and_gradients_match_the_reference()
    {
        using var scope = NewDisposeScope();
        using var model = ParityFixture.LoadModel(); // eval: BN running stats, dropout/drop-path off
        var io = ParityFixture.Io();
        var g = ParityFixture.Grads();
        var features = model.ExtractFeatures(io["input"]);
        var logits = model.DecodeLogits(features);
        var loss = Segmentor.Loss(logits, g["label"]);
        TensorAssert.LossClose(loss.item<float>(), g["loss"].item<float>());
        loss.backward();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var checkedCount = 0;
        foreach (var (key, reference) in g.Where(kv => kv.Key.StartsWith("grad.")))
        {
            var name = key["grad.".Length..];
            TensorAssert.GradClose(parameters[name].grad!, reference, key);
            checkedCount++;
        }
        Assert.Equal(12, checkedCount);
    }

    [Fact]
    public void Accuracy_is_the_share_of_all_pixels_like_mmseg()
    {
        using var scope = NewDisposeScope();
        using var model = ParityFixture.LoadModel();
        var io = ParityFixture.Io();
        var g = ParityFixture.Grads();
        using var _ = no_grad();
        var logits = model.DecodeLogits(model.ExtractFeatures(io["input"]));
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.ParityDir, "manifest.json")));
        var expected = manifest.RootElement.GetProperty("grads").GetProperty("decode.acc_seg").GetDouble();
        Assert.Equal(expected, Segmentor.Accuracy(logits, g["label"]), 3);
    }
}
