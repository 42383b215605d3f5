using DaFormer.Training.Data;
using DaFormer.Training.Data.Converters;
using DaFormer.Training.Data.Formats;

namespace DaFormer.Tests.Training.Data.Converters;

public class ClassStatsFilesTests
{
    static ImageClassStats Stats(string file, params (int C, long N)[] counts)
    {
        var d = new OrderedDictionary<int, long>();
        foreach (var (c, n) in counts) d.Add(c, n);
        return new ImageClassStats(file, d);
    }

    static readonly ImageClassStats[] Images =
    [
        Stats("data/gta/labels/a_labelTrainIds.png", (0, 1000), (13, 500)),
        Stats("data/gta/labels/b_labelTrainIds.png", (0, 2000), (11, 300)),
    ];

    // Expected texts below were produced by Python 3 `json.dumps(obj, indent=2)` on the same data
    // (the call the original `save_class_stats` makes).
    [Fact]
    public void Sample_class_stats_is_formatted_like_python_json_dump_indent_2()
    {
        var withOdd = Images.Append(Stats("data/x/\u00e9\"\\.png")).ToArray();
        Assert.Equal(
            "[\n  {\n    \"0\": 1000,\n    \"13\": 500,\n    \"file\": \"data/gta/labels/a_labelTrainIds.png\"\n  },\n  {\n    \"0\": 2000,\n    \"11\": 300,\n    \"file\": \"data/gta/labels/b_labelTrainIds.png\"\n  },\n  {\n    \"file\": \"data/x/\\u00e9\\\"\\\\.png\"\n  }\n]",
            ClassStatsFiles.SampleClassStats(withOdd));
    }

    [Fact]
    public void Samples_with_class_lists_classes_in_order_of_first_occurrence()
    {
        Assert.Equal(
            "{\n  \"0\": [\n    [\n      \"data/gta/labels/a_labelTrainIds.png\",\n      1000\n    ],\n    [\n      \"data/gta/labels/b_labelTrainIds.png\",\n      2000\n    ]\n  ],\n  \"13\": [\n    [\n      \"data/gta/labels/a_labelTrainIds.png\",\n      500\n    ]\n  ],\n  \"11\": [\n    [\n      \"data/gta/labels/b_labelTrainIds.png\",\n      300\n    ]\n  ]\n}",
            ClassStatsFiles.SamplesWithClass(Images));
    }

    [Fact]
    public void Stats_dict_maps_file_to_counts_without_the_file_key()
    {
        Assert.Equal(
            "{\n  \"data/gta/labels/a_labelTrainIds.png\": {\n    \"0\": 1000,\n    \"13\": 500\n  },\n  \"data/gta/labels/b_labelTrainIds.png\": {\n    \"0\": 2000,\n    \"11\": 300\n  }\n}",
            ClassStatsFiles.SampleClassStatsDict(Images));
    }

    [Fact]
    public void Empty_containers_surrogates_and_control_characters_match_python()
    {
        var obj = new KeyValuePair<string, object>[]
        {
            new("a/\u00e9\U0001F600\u007f\t.png", Array.Empty<KeyValuePair<string, object>>()),
            new("b", Array.Empty<object>()),
        };
        Assert.Equal("{\n  \"a/\\u00e9\\ud83d\\ude00\\u007f\\t.png\": {},\n  \"b\": []\n}", PythonJson.Dump(obj));
        Assert.Equal("[]", ClassStatsFiles.SampleClassStats([]));
        Assert.Equal("{}", ClassStatsFiles.SamplesWithClass([]));
    }
}
