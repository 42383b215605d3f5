using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Converters;
using DaFormer.Training.Data.Datasets;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DaFormer.Tests.Training.Data.Datasets;

public class DatasetReaderTests
{
    static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }

    [Fact]
    public void Gta_pairs_images_with_converted_labels_in_sorted_order()
    {
        var root = Paths.NewTempDir();
        foreach (var n in new[] { "00003", "00001", "00002" })
        {
            Touch(Path.Join(root, "images", n + ".png"));
            Touch(Path.Join(root, "labels", n + ".png"));            // raw label: not a train-ID label
            Touch(Path.Join(root, "labels", n + "_labelTrainIds.png"));
        }
        var ds = Gta.Scan(root);
        Assert.Equal(["00001", "00002", "00003"], ds.Samples.Select(s => Path.GetFileNameWithoutExtension(s.ImagePath)));
        Assert.Equal(Path.Join(root, "labels", "00001_labelTrainIds.png"), ds.Samples[0].LabelPath);
        Assert.Equal(Path.Join(root, "images", "00001.png"), ds.Samples[0].ImagePath);
        Assert.Equal(LabelMaps.CityscapesClasses, ds.ClassNames);
        Assert.Equal(255, ds.IgnoreIndex);
    }

    [Fact]
    public void Synthia_uses_RGB_and_GT_LABELS()
    {
        var root = Paths.NewTempDir();
        Touch(Path.Join(root, "RGB", "0000007.png"));
        Touch(Path.Join(root, "GT", "LABELS", "0000007_labelTrainIds.png"));
        var ds = Synthia.Scan(root);
        Assert.Equal(Path.Join(root, "GT", "LABELS", "0000007_labelTrainIds.png"), Assert.Single(ds.Samples).LabelPath);
    }

    [Fact]
    public void Cityscapes_keeps_city_sub_folders_and_reads_converted_labels()
    {
        var root = Paths.NewTempDir();
        TinyData.MakeCityscapes(root, [("train", "zurich", 2), ("train", "aachen", 1), ("val", "lindau", 1)]);
        CityscapesConverter.Run(root);
        var train = Cityscapes.Scan(root, "train");
        Assert.Equal(
            [Path.Join(root, "gtFine", "train", "aachen", "aachen_000000_000019_gtFine_labelTrainIds.png"),
             Path.Join(root, "gtFine", "train", "zurich", "zurich_000000_000019_gtFine_labelTrainIds.png"),
             Path.Join(root, "gtFine", "train", "zurich", "zurich_000001_000019_gtFine_labelTrainIds.png")],
            train.Samples.Select(s => s.LabelPath));
        Assert.Equal(Path.Join(root, "leftImg8bit", "train", "aachen", "aachen_000000_000019_leftImg8bit.png"), train.Samples[0].ImagePath);
        Assert.Single(Cityscapes.Scan(root, "val").Samples);
    }

    [Fact]
    public void Acdc_and_dark_zurich_use_their_suffixes_and_dark_zurich_train_needs_no_labels()
    {
        var root = Paths.NewTempDir();
        Touch(Path.Join(root, "rgb_anon", "val", "GOPR0356_frame_000321_rgb_anon.png"));
        Touch(Path.Join(root, "gt", "val", "GOPR0356_frame_000321_gt_labelTrainIds.png"));
        Assert.Equal(Path.Join(root, "gt", "val", "GOPR0356_frame_000321_gt_labelTrainIds.png"), Assert.Single(Acdc.Scan(root, "val").Samples).LabelPath);
        Assert.Single(DarkZurich.Scan(root, "val").Samples);

        Touch(Path.Join(root, "rgb_anon", "train", "night", "GOPR0351", "GOPR0351_frame_000001_rgb_anon.png"));
        var night = DarkZurich.Scan(root, "train", requireLabels: false);
        Assert.Null(Assert.Single(night.Samples).LabelPath);
        var e = Assert.Throws<DaFormerError>(() => DarkZurich.Scan(root, "train"));
        Assert.Contains(Path.Join(root, "gt", "train", "night"), e.Message);
        Assert.Contains("requireLabels: false", e.Message);
    }

    [Fact]
    public void Folder_pairs_take_any_suffixes_classes_and_palette()
    {
        var root = Paths.NewTempDir();
        Touch(Path.Join(root, "img", "a", "x.jpg"));
        Touch(Path.Join(root, "ann", "a", "x_mask.png"));
        var ds = FolderPairs.Scan(Path.Join(root, "img"), Path.Join(root, "ann"), ".jpg", "_mask.png",
            ["bg", "crack"], [(0, 0, 0), (255, 0, 0)], ignoreIndex: 255);
        Assert.Equal(Path.Join(root, "ann", "a", "x_mask.png"), Assert.Single(ds.Samples).LabelPath);
        Assert.Equal(["bg", "crack"], ds.ClassNames);
        Assert.Throws<DaFormerError>(() => FolderPairs.Scan(Path.Join(root, "img"), Path.Join(root, "ann"), ".jpg", "_mask.png", ["bg", "crack"], [(0, 0, 0)]));
        Assert.Throws<DaFormerError>(() => FolderPairs.Scan(Path.Join(root, "img"), Path.Join(root, "ann"), ".jpg", "_mask.png", ["bg", "crack"], [(0, 0, 0), (1, 1, 1)], ignoreIndex: 1));
    }

    [Fact]
    public void A_target_set_without_labels_scans_with_requireLabels_false()
    {
        var root = Paths.NewTempDir();
        Touch(Path.Join(root, "leftImg8bit", "train", "bonn", "bonn_000000_000019_leftImg8bit.png"));
        Assert.Null(Assert.Single(Cityscapes.Scan(root, "train", requireLabels: false).Samples).LabelPath);
    }

    [Fact]
    public void A_missing_folder_names_it_and_the_expected_layout()
    {
        var root = Paths.NewTempDir();
        var e = Assert.Throws<DaFormerError>(() => Gta.Scan(root));
        Assert.Contains(Path.Join(root, "images"), e.Message);
        Assert.Contains("ROOT/images/<name>.png", e.Message);
    }

    [Fact]
    public void Images_without_labels_are_listed_with_a_count_and_the_converter_hint()
    {
        var root = Paths.NewTempDir();
        for (var i = 0; i < 8; i++) Touch(Path.Join(root, "images", $"{i:D5}.png"));
        Directory.CreateDirectory(Path.Join(root, "labels"));
        var e = Assert.Throws<DaFormerError>(() => Gta.Scan(root));
        Assert.Contains("8 image(s)", e.Message);
        Assert.Contains(Path.Join(root, "images", "00000.png"), e.Message);
        Assert.Contains("(3 more)", e.Message);
        Assert.Contains($"daformer convert gta {root}", e.Message);
    }

    [Fact]
    public void A_label_without_image_is_named()
    {
        var root = Paths.NewTempDir();
        Touch(Path.Join(root, "images", "00001.png"));
        Touch(Path.Join(root, "labels", "00001_labelTrainIds.png"));
        Touch(Path.Join(root, "labels", "00002_labelTrainIds.png"));
        var e = Assert.Throws<DaFormerError>(() => Gta.Scan(root));
        Assert.Contains(Path.Join(root, "labels", "00002_labelTrainIds.png"), e.Message);
        Assert.Contains("no image", e.Message);
    }

    [Fact]
    public void An_empty_data_set_is_an_error_naming_the_folder()
    {
        var root = Paths.NewTempDir();
        Directory.CreateDirectory(Path.Join(root, "RGB"));
        Touch(Path.Join(root, "RGB", ".hidden.png"));
        var e = Assert.Throws<DaFormerError>(() => Synthia.Scan(root));
        Assert.Contains(Path.Join(root, "RGB"), e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Unknown_splits_are_rejected()
    {
        Assert.Throws<DaFormerError>(() => Cityscapes.Scan("x", "training"));
        Assert.Throws<DaFormerError>(() => Acdc.Scan("x", "night"));
    }

    [Property]
    public Property Matching_partitions_images_and_labels() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, 30).ArrayOf()), Arb.From(Gen.Choose(0, 30).ArrayOf()), (imgIds, lblIds) =>
        {
            var images = imgIds.Distinct().Select(i => $"c/{i}.png").ToArray();
            var labels = lblIds.Distinct().Select(i => $"c/{i}_labelTrainIds.png").ToArray();
            var m = PairScan.Match(images, labels, ".png", "_labelTrainIds.png");
            var both = imgIds.Intersect(lblIds).Count();
            return m.Pairs.Count == both
                && m.Pairs.Count + m.ImagesWithoutLabel.Count == images.Length
                && m.Pairs.Count + m.LabelsWithoutImage.Count == labels.Length
                && m.Pairs.All(p => p.LabelRel == p.ImageRel.Replace(".png", "_labelTrainIds.png"));
        });
}
