using System.Text.Json;
using DaFormer.Cli.Commands;
using DaFormer.Tests.Support;
using DaFormer.Training.Reports;
using SixLabors.ImageSharp;

namespace DaFormer.Tests.Training.Reports;

public class TrainingCurvesTests
{
    static IReadOnlyList<JsonElement> Records(params string[] lines) => lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void Extracts_loss_terms_learning_rates_confidence_and_val_miou()
    {
        var c = TrainingCurves.FromRecords(Records(
            """{"iter": 0, "mode": "train", "lr": [1e-5, 1e-4], "decode.loss_seg": 2.0, "mix.decode.loss_seg": 1.0, "pseudo_conf": 0.5}""",
            """{"iter": 10, "mode": "train", "lr": [2e-5, 2e-4], "decode.loss_seg": 1.5, "src.loss_imnet_feat_dist": 0.1}""",
            """{"iter": 10, "mode": "val", "mIoU": 0.25}"""));
        Assert.Equal(["decode.loss_seg", "mix.decode.loss_seg", "src.loss_imnet_feat_dist"], c.Losses.Select(s => s.Name));
        Assert.Equal([0.0, 10.0], c.Losses[0].Iterations);
        Assert.Equal([2.0, 1.5], c.Losses[0].Values);
        Assert.Equal([1e-4, 2e-4], c.LearningRates[1].Values);
        Assert.Equal([0.5], c.PseudoConfidence!.Values);
        Assert.Equal([25.0], c.ValidationMiou!.Values);
    }

    [Fact]
    public void Plot_writes_a_two_by_two_png()
    {
        var c = TrainingCurves.FromRecords(Records("""{"iter": 0, "mode": "train", "lr": [1e-5], "decode.loss_seg": 2.0}"""));
        var path = Path.Combine(Paths.NewTempDir(), "curves.png");
        PlotCommand.Render(c, path);
        var info = Image.Identify(path);
        Assert.Equal((1600, 960), (info.Width, info.Height));
    }

    [Fact]
    public void Learning_rates_are_labelled_by_their_parameter_group()
    {
        var c = TrainingCurves.FromRecords(Records(
            """{"iter": 1, "mode": "train", "lr": {"backbone": 6e-5, "backbone_no_decay": 6e-5, "head": 6e-4}, "decode.loss_seg": 2.0}""",
            """{"iter": 2, "mode": "train", "lr": {"backbone": 5e-5, "backbone_no_decay": 5e-5, "head": 5e-4}, "decode.loss_seg": 1.0}"""));
        Assert.Equal(["lr (backbone)", "lr (backbone no-decay)", "lr (head)"], c.LearningRates.Select(s => s.Name));
        Assert.Equal([6e-4, 5e-4], c.LearningRates[2].Values);
        // Older logs: a list in the trainer's group order (MiT: backbone, its norms without decay, head).
        var legacy = TrainingCurves.FromRecords(Records("""{"iter": 1, "mode": "train", "lr": [1e-5, 2e-5, 3e-5]}"""));
        Assert.Equal(["lr (backbone)", "lr (backbone no-decay)", "lr (head)"], legacy.LearningRates.Select(s => s.Name));
        Assert.Equal([3e-5], legacy.LearningRates[2].Values);
    }

    [Fact]
    public void A_log_without_records_is_an_error_naming_the_file()
    {
        var dir = Paths.NewTempDir();
        var log = Path.Combine(dir, "log.jsonl");
        File.WriteAllText(log, "");
        var e = Assert.Throws<DaFormer.Model.DaFormerError>(() => TrainingCurves.Read(log));
        Assert.Contains(log, e.Message);
        Assert.Contains("nothing to plot", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "curves.png")));
    }
}
