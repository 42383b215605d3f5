using System.Text.Json;
using System.Text.Json.Nodes;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Model.Runtime;
using DaFormer.Tests.Support;
using DaFormer.Tests.Training.Data;
using DaFormer.Tests.Training.Runs;
using DaFormer.Training.Config;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Converters;
using DaFormer.Training.Inference;
using DaFormer.Training.Runs;

namespace DaFormer.Tests.Scripting;

/// `daformer test` against what the trainer logged, on a Cityscapes layout, and with the original's config JSON.
[Collection("Console")]
public class TestCommandTests
{
    static string Checkpoint => Path.Combine(Paths.ParityDir, "checkpoint_uda.pth");

    [Fact]
    public void Test_of_a_run_directory_reproduces_the_logged_miou_and_its_prediction_files_score_the_same()
    {
        var work = Paths.NewTempDir("testcmd");
        var outcome = Trainer.Run(TinyRun.Config(2), TinyRun.Request(work));
        var logged = JsonlLog.Read(Path.Combine(outcome.RunDir, "log.jsonl"))
            .Last(r => r.GetProperty("mode").GetString() == "val").GetProperty("mIoU").GetDouble();
        var preds = Paths.NewTempDir("testpreds");

        var r = CliHarness.Run("test", outcome.RunDir, "--save-preds", preds, "--device", "cpu");

        Assert.True(r.ExitCode == 0, r.All);
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outcome.RunDir, "test_results.json"))).RootElement;
        // log.jsonl holds percentages; test_results.json keeps the original's returned dict (fractions).
        Assert.Equal(logged, 100 * results.GetProperty("mIoU").GetDouble(), 9);
        Assert.True(File.Exists(Path.Combine(outcome.RunDir, "test_results.md")));

        // Independent scoring of the written train-ID maps against the GT labels of the val split.
        var val = DataSetup.Open(TinyRun.Config(2).Data.Validation, requireLabels: true);
        var numClasses = val.ClassNames.Count;
        var inter = new double[numClasses]; var union = new double[numClasses];
        var common = PredictionWriter.CommonDirectory(val.Samples.Select(s => s.ImagePath).ToList());
        foreach (var s in val.Samples)
        {
            var stem = Path.ChangeExtension(Path.GetRelativePath(common, s.ImagePath), null);
            var pred = ImageIo.ReadLabel(Path.Combine(preds, stem + "_trainIds.png"));
            var gt = ImageIo.ReadLabel(s.LabelPath!);
            var overlay = ImageIo.ReadRgb(Path.Combine(preds, stem + ".png"));
            for (var i = 0; i < gt.Values.Length; i++)
            {
                // --opacity 1: the overlay is the palette colour itself.
                var (pr, pg, pb) = val.Palette[pred.Values[i]];
                Assert.Equal([pr, pg, pb], overlay.Pixels[(3 * i)..(3 * i + 3)]);
                if (gt.Values[i] == 255) continue;
                for (var k = 0; k < numClasses; k++)
                {
                    bool p = pred.Values[i] == k, g = gt.Values[i] == k;
                    if (p && g) inter[k]++;
                    if (p || g) union[k]++;
                }
            }
        }
        var ious = Enumerable.Range(0, numClasses).Where(k => union[k] > 0).Select(k => inter[k] / union[k]).ToList();
        Assert.Equal(100 * ious.Average(), logged, 10); // the log holds percent
    }

    static (string Root, string Config, string Checkpoint) CityscapesSetup()
    {
        var root = Paths.NewTempDir("testcs");
        TinyData.MakeCityscapes(root, [("val", "frankfurt", 2)]);
        CityscapesConverter.Run(root);
        var g = Presets.Gta2Cs;
        var cfg = g with
        {
            Model = g.Model with { Encoder = Encoder.MitB0, Channels = 64, Pretrained = null },
            Data = g.Data with { Validation = DatasetConfig.CityscapesVal with { Root = root, Scale = new(64, 48) } },
        };
        var dir = Paths.NewTempDir("testcfg");
        var config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, ConfigJson.Serialize(cfg));
        // Results go next to the checkpoint: link it into a scratch folder, never write into the fixtures.
        var link = Path.Combine(dir, "checkpoint_uda.pth");
        File.CreateSymbolicLink(link, Checkpoint);
        return (root, config, link);
    }

    [Fact]
    public void On_a_cityscapes_layout_the_table_has_19_rows_and_format_only_writes_label_ids()
    {
        var (_, config, checkpoint) = CityscapesSetup();
        var r = CliHarness.Run("test", config, checkpoint, "--device", "cpu");
        Assert.True(r.ExitCode == 0, r.All);
        var md = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(checkpoint)!, "test_results.md"));
        var classRows = md.Where(l => l.StartsWith("| ") && LabelMaps.CityscapesClasses.Any(c => l.StartsWith($"| {c} |"))).ToList();
        Assert.Equal(19, classRows.Count);
        foreach (var c in LabelMaps.CityscapesClasses) Assert.Contains(c, r.Out);
        Assert.Contains("mIoU", r.Out);

        var ids = Paths.NewTempDir("labelids");
        var f = CliHarness.Run("test", config, checkpoint, "--format-only", "--save-preds", ids, "--device", "cpu");
        Assert.True(f.ExitCode == 0, f.All);
        var files = Directory.GetFiles(ids, "*.png", SearchOption.AllDirectories);
        Assert.Equal(2, files.Length);
        // Cityscapes label IDs of the 19 train IDs, from the official table (spec §1.2).
        int[] evaluated = [7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33];
        foreach (var file in files)
            Assert.All(ImageIo.ReadLabel(file).Values, v => Assert.Contains((int)v, evaluated));
    }

    static JsonObject OriginalJson()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.ParityDir, "manifest.json")))!;
        var test = new JsonObject
        {
            ["type"] = "CityscapesDataset", ["data_root"] = "data/cityscapes/", ["img_dir"] = "leftImg8bit/val", ["ann_dir"] = "gtFine/val",
            ["pipeline"] = new JsonArray(
                new JsonObject { ["type"] = "LoadImageFromFile" },
                new JsonObject { ["type"] = "MultiScaleFlipAug", ["img_scale"] = new JsonArray(1024, 512), ["flip"] = false }),
        };
        return new JsonObject
        {
            ["model"] = manifest["config"]!.DeepClone(),
            ["data"] = new JsonObject
            {
                ["train"] = new JsonObject { ["type"] = "UDADataset", ["source"] = new JsonObject { ["type"] = "SynthiaDataset" } },
                ["test"] = test,
            },
        };
    }

    static InferenceSetup Parse(JsonObject json) =>
        OriginalConfig.Parse(JsonDocument.Parse(json.ToJsonString()).RootElement, "orig.json", requireData: true);

    [Fact]
    public void The_originals_config_json_maps_to_the_fixture_architecture_and_cityscapes_val()
    {
        var json = OriginalJson();
        var setup = Parse(json);
        Assert.Equal(new SegmentorSpec("mit_b0", "daformer_sepaspp", 19, 64), setup.Model! with { DropPathRate = 0.1, DropoutRatio = 0.1 });
        Assert.Equal((DatasetKind.Cityscapes, "data/cityscapes", "val", new ImageSize(1024, 512)),
            (setup.TestData!.Kind, setup.TestData.Root, setup.TestData.Split, setup.TestData.Scale));
        Assert.True(setup.SynthiaSource);
        using (var model = InferenceModel.Load(setup, Checkpoint, WhichWeights.Student, TorchRuntime.Resolve(DeviceSpec.Cpu)))
            Assert.Equal(19, model.NumClasses);

        // The released GTA→CS config's legacy head name is read as DAFormerHead (tools/test.py patches it too).
        json["model"]!["decode_head"]!["type"] = "UniHead";
        Assert.Equal("daformer_sepaspp", Parse(json).Model!.Head);
        json["model"]!["decode_head"]!["decoder_params"]!["fusion_cfg"]!["sep"] = false;
        Assert.Equal("daformer_aspp", Parse(json).Model!.Head);
    }

    [Fact]
    public void A_missing_field_of_the_originals_config_is_named()
    {
        var json = OriginalJson();
        json["model"]!["decode_head"]!.AsObject().Remove("num_classes");
        Assert.Contains("model.decode_head.num_classes", Assert.Throws<DaFormerError>(() => Parse(json)).Message);

        json = OriginalJson();
        json["data"]!["test"]!["pipeline"]!.AsArray().RemoveAt(1);
        Assert.Contains("MultiScaleFlipAug", Assert.Throws<DaFormerError>(() => Parse(json)).Message);

        json = OriginalJson();
        json["model"]!["backbone"]!["type"] = "swin_t";
        Assert.Contains("model.backbone.type = 'swin_t'", Assert.Throws<DaFormerError>(() => Parse(json)).Message);
    }

    [Fact]
    public void A_config_that_does_not_fit_the_checkpoint_is_a_clear_error()
    {
        var (_, config, checkpoint) = CityscapesSetup();
        var wrong = ConfigJson.Deserialize(File.ReadAllText(config));
        File.WriteAllText(config, ConfigJson.Serialize(wrong with { Model = wrong.Model with { Encoder = Encoder.MitB1 } }));
        var r = CliHarness.Run("test", config, checkpoint, "--device", "cpu");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("mit_b0", r.Err); // the architecture the file does fit
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Prediction_files_keep_the_paths_below_the_folder_all_images_share()
    {
        var root = Path.Combine(Path.GetTempPath(), "cs", "leftImg8bit", "val");
        string[] images = [Path.Combine(root, "frankfurt", "a_leftImg8bit.png"), Path.Combine(root, "lindau", "b_leftImg8bit.png")];
        Assert.Equal(root, PredictionWriter.CommonDirectory(images));
        Assert.Equal(Path.Combine(root, "frankfurt"), PredictionWriter.CommonDirectory([images[0]]));
    }
}
