using DaFormer.Model;
using DaFormer.Model.Segmentors;
using DaFormer.Tests.Model.Segmentors;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Randomness;
using DaFormer.Training.Uda;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

/// MIC on HRDA: the masked loss of the original `MaskingConsistencyModule` (fixture mic_masking, the
/// HRDA student of parity_hrda_mitb0 in eval mode, the recorded grid and detail box), and one whole
/// DACS + MIC iteration under HRDA logging every term under the original's name.
[Collection(SerialCollection.Name)]
public class MicHrdaTests
{
    [Fact]
    public void Masked_loss_terms_accuracies_total_and_gradients_match_the_original()
    {
        using var scope = NewDisposeScope();
        using var model = HrdaFixture.LoadModel();
        var m = MicFixture.Manifest.GetProperty("masked_loss");
        var inputs = MaskedConsistency.Select(MaskMode.SeparateTarget, MicFixture.T("loss.source_img"), MicFixture.T("loss.source_gt"),
            MicFixture.T("loss.target_img"), MicFixture.T("loss.pseudo_label"), MicFixture.T("loss.pseudo_weight"));
        var image = inputs.Image;
        var mask = BlockMask.FromGrid(MicFixture.T("loss.grid"), m.GetProperty("mask_ratio").GetDouble(), (int)image.shape[2], (int)image.shape[3]);
        var masked = image * mask;
        Assert.True(masked.eq(MicFixture.T("loss.masked_img")).all().item<bool>());

        var output = model.TrainWithBox(masked, inputs.Label, inputs.Weight, HrdaFixture.Box(m.GetProperty("hr_crop_box_y1y2x1x2")));
        var expected = m.GetProperty("dacs_log_vars");
        foreach (var (name, term) in output.LossTerms)
            TensorAssert.LossClose(term.item<float>(), expected.GetProperty("masked." + name).GetDouble());
        foreach (var (name, acc) in output.Accuracies)
            Assert.InRange(acc - expected.GetProperty("masked." + name).GetDouble(), -1e-3, 1e-3);
        Assert.Equal(["decode.hr.loss_seg", "decode.loss_seg"], output.LossTerms.Select(t => t.Key).Order());
        var total = output.Total();
        TensorAssert.LossClose(total.item<float>(), MicFixture.T("loss.total").item<float>());

        total.backward();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var key in m.GetProperty("grads").EnumerateArray().Select(e => e.GetString()!))
        {
            var (relL2, _, _) = TensorAssert.Compare(parameters[key].grad!, MicFixture.T("grad." + key));
            Assert.True(relL2 < 1e-4, $"grad {key}: relL2 {relL2:E3} ≥ 1e-4");
        }
    }

    [Fact]
    public void One_DACS_iteration_with_MIC_under_HRDA_logs_every_term_under_its_original_name()
    {
        using var scope = NewDisposeScope();
        var spec = new SegmentorSpec("mit_b0", "daformer_sepaspp", NumClasses: 19, Channels: 16);
        var hrda = new HrdaSpec { AttentionEmbedDim = 16, DetailCropHeight = 32, DetailCropWidth = 32 };
        manual_seed(3);
        using var student = SegmentorFactory.BuildHrda(spec, hrda);
        using var teacher = SegmentorFactory.BuildHrda(spec, hrda);
        using var imnet = SegmentorFactory.BuildHrda(spec, hrda);
        foreach (var p in teacher.parameters().Concat(imnet.parameters())) p.requires_grad = false;
        var img = randn(2, 3, 64, 64);
        var timg = randn(2, 3, 64, 64);
        // A thing class (person) everywhere: at feature scale 0.5 the last stage has one cell per image,
        // covering the whole 64² label, and the FD selects it.
        var gt = full([2, 1, 64, 64], 11L);
        var uda = new UdaConfig { PseudoLabelCrop = null, Mic = new MicConfig { BlockSize = 16 } };

        var r = Dacs.Step(new DacsNetworks(student, teacher, imnet), new DacsBatch(img, gt, timg), uda, 19,
            RandomStreams.ForIteration(runSeed: 1, iteration: 0));

        string[] expected =
        [
            "decode.loss_seg", "decode.acc_seg", "decode.hr.loss_seg", "decode.hr.acc_seg", "src.loss_imnet_feat_dist",
            "mix.decode.loss_seg", "mix.decode.acc_seg", "mix.decode.hr.loss_seg", "mix.decode.hr.acc_seg",
            "masked.decode.loss_seg", "masked.decode.acc_seg", "masked.decode.hr.loss_seg", "masked.decode.hr.acc_seg",
        ];
        Assert.Equal(expected.Order(), r.Losses.Keys.Order());
        Assert.All(r.Losses.Values, v => Assert.True(double.IsFinite(v)));
        Assert.All(student.parameters(), p => Assert.NotNull(p.grad));
    }
}
