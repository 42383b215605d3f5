using DaFormer.Cli;
using DaFormer.Tests.Support;
using DaFormer.Training.Data;

namespace DaFormer.Tests.Training.Data.Converters;

public class ConvertCommandTests
{
    [Fact]
    public void Convert_gta_writes_labels_and_statistics_into_out_and_exits_0()
    {
        var root = Paths.NewTempDir("gta");
        TinyData.MakeGta(root, 2);
        var outDir = Path.Join(root, "stats");
        Assert.Equal(0, CliApp.Run(["convert", "gta", root, "--nproc", "2", "--out", outDir]));
        Assert.True(File.Exists(Path.Join(root, "labels", "00001_labelTrainIds.png")));
        Assert.Equal(2, RcsStatistics.Load(outDir).SampleClassStats.Count);
    }

    [Fact]
    public void A_missing_root_or_a_bad_nproc_exits_1_before_writing_anything()
    {
        Assert.Equal(1, CliApp.Run(["convert", "synthia", Path.Join(Paths.NewTempDir(), "nope")]));
        var root = Paths.NewTempDir("gta");
        TinyData.MakeGta(root, 1);
        Assert.Equal(1, CliApp.Run(["convert", "gta", root, "--nproc", "0"]));
        Assert.False(File.Exists(Path.Join(root, "labels", "00000_labelTrainIds.png")));
    }
}
