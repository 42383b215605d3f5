using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Converters;

namespace DaFormer.Tests.Training.Data;

public class RcsStatisticsTests
{
    static ImageClassStats Stats(string file, params (int C, long N)[] counts)
    {
        var d = new OrderedDictionary<int, long>();
        foreach (var (c, n) in counts) d.Add(c, n);
        return new ImageClassStats(file, d);
    }

    // Spec §9.6 toy: a = {0:1000, 13:500}, b = {0:2000, 11:300}, c = {0:500, 13:200, 18:100}.
    static readonly ImageClassStats[] Toy = [Stats("a", (0, 1000), (13, 500)), Stats("b", (0, 2000), (11, 300)), Stats("c", (0, 500), (13, 200), (18, 100))];

    [Fact]
    public void Samples_with_class_follow_the_spec_toy()
    {
        var s = RcsStatistics.FromImages(Toy).SamplesWithClass;
        Assert.Equal([0, 13, 11, 18], s.Keys);
        Assert.Equal([("a", 1000L), ("b", 2000L), ("c", 500L)], s[0]);
        Assert.Equal([("a", 500L), ("c", 200L)], s[13]);
        Assert.Equal([("b", 300L)], s[11]);
        Assert.Equal([("c", 100L)], s[18]);
    }

    [Fact]
    public void Load_reads_back_what_the_converter_files_hold_in_order()
    {
        var dir = Paths.NewTempDir();
        ClassStatsFiles.Write(dir, Toy);
        var loaded = RcsStatistics.Load(dir);
        Assert.Equal(Toy.Select(t => t.File), loaded.SampleClassStats.Select(t => t.File));
        for (var i = 0; i < Toy.Length; i++)
            Assert.Equal(Toy[i].PixelsPerClass.ToArray(), loaded.SampleClassStats[i].PixelsPerClass.ToArray());
        var expected = RcsStatistics.FromImages(Toy).SamplesWithClass;
        Assert.Equal(expected.Keys, loaded.SamplesWithClass.Keys);
        foreach (var c in expected.Keys) Assert.Equal(expected[c], loaded.SamplesWithClass[c]);
    }

    [Fact]
    public void Load_keeps_the_key_order_of_a_hand_written_file()
    {
        var dir = Paths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "sample_class_stats.json"), """[{"2": 5, "17": 7, "3": 9, "file": "x.png"}]""");
        File.WriteAllText(Path.Combine(dir, "samples_with_class.json"), """{"17": [["x.png", 7]], "2": [["x.png", 5]], "3": [["x.png", 9]]}""");
        var loaded = RcsStatistics.Load(dir);
        Assert.Equal([2, 17, 3], loaded.SampleClassStats[0].PixelsPerClass.Keys);
        Assert.Equal([17, 2, 3], loaded.SamplesWithClass.Keys);
    }

    [Fact]
    public void Missing_statistics_name_the_file_and_the_converter_to_run()
    {
        var dir = Paths.NewTempDir();
        var e = Assert.Throws<DaFormerError>(() => RcsStatistics.Load(dir, "daformer convert gta data/gta"));
        Assert.Contains(Path.Join(dir, "sample_class_stats.json"), e.Message);
        Assert.Contains("daformer convert gta data/gta", e.Message);
        File.WriteAllText(Path.Combine(dir, "sample_class_stats.json"), "[]");
        e = Assert.Throws<DaFormerError>(() => RcsStatistics.Load(dir));
        Assert.Contains("samples_with_class.json", e.Message);
        Assert.Contains("daformer convert", e.Message);
    }

    [Theory]
    [InlineData("[{\"0\": 1}]", "no \"file\"")]
    [InlineData("[{\"road\": 1, \"file\": \"x\"}]", "\"road\"")]
    [InlineData("[{\"0\": -4, \"file\": \"x\"}]", "-4")]
    [InlineData("{not json", "not valid JSON")]
    public void Malformed_statistics_are_errors_naming_the_file(string content, string expectedInMessage)
    {
        var dir = Paths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "sample_class_stats.json"), content);
        File.WriteAllText(Path.Combine(dir, "samples_with_class.json"), "{}");
        var e = Assert.Throws<DaFormerError>(() => RcsStatistics.Load(dir));
        Assert.Contains(Path.Join(dir, "sample_class_stats.json"), e.Message);
        Assert.Contains(expectedInMessage, e.Message);
    }
}
