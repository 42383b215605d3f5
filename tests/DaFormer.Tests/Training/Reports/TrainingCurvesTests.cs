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
}
