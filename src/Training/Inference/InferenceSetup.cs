using DaFormer.Model;
using DaFormer.Training.Config;
using DaFormer.Training.Data;
using DaFormer.Training.Evaluation;

namespace DaFormer.Training.Inference;

/// Everything `daformer test` / `daformer demo` need to know besides the weights: the architecture,
/// the test data set (with its keep-ratio scale), whole/slide inference, the class names and palette,
/// and whether the model was trained from Synthia (then mIoU16/13 are reported, spec §5.3).
/// Built from one of our run configs, the original's mmseg config JSON, or the checkpoint alone.
public sealed record InferenceSetup(
    SegmentorSpec? Model,
    DatasetConfig? TestData,
    TestConfig Test,
    bool SynthiaSource,
    string Source,
    DaFormer.Model.Segmentors.HrdaSpec? Hrda = null)
{
    /// The original's test scale when nothing else is known (Cityscapes, spec §2.5).
    public static ImageSize DefaultScale { get; } = new(1024, 512);

    /// (long side, short side) of the keep-ratio resize, as the test pipeline takes them.
    public (int A, int B) Scale
    {
        get
        {
            var s = TestData?.Scale ?? DefaultScale;
            return (Math.Max(s.Width, s.Height), Math.Min(s.Width, s.Height));
        }
    }

    public static InferenceSetup FromRunConfig(RunConfig c, string source) =>
        new(c.Model.ToSpec(), c.Data.Validation, c.Runtime.Test, c.Data.Source.Kind == DatasetKind.Synthia, source, c.Model.ToHrdaSpec());

    /// No config: the architecture is inferred from the checkpoint (ArchitectureGuess), 1024×512 whole inference.
    public static InferenceSetup Auto => new(null, null, TestConfig.Whole, false, "auto");

    /// `auto` for a checkpoint file: the run config our trainer stores in the checkpoint's meta
    /// (`meta.config`, JSON) when it is there — its architecture, validation scale and test mode, so a
    /// model trained at 256×128 is not run at 1024×512 —, else <see cref="Auto"/>. `warning` says why
    /// a stored config could not be used.
    public static InferenceSetup FromCheckpoint(string checkpoint, out string? warning)
    {
        warning = null;
        string? json;
        using (var contents = DaFormer.Model.Checkpoints.CheckpointReader.Read(checkpoint))
            json = contents.Meta.TryGetValue("config", out var v) ? v as string : null;
        // The original's mmcv checkpoints keep their Python config text under the same key: not ours to read.
        if (json is null || !IsJsonObject(json)) return Auto;
        try { return FromRunConfig(ConfigJson.Deserialize(json, $"{checkpoint} (meta.config)"), $"{checkpoint} (meta.config)"); }
        catch (DaFormerError e)
        {
            warning = $"{e.Message} — using the architecture the weights fit and the test scale {DefaultScale.Width}×{DefaultScale.Height} instead.";
            return Auto;
        }
    }

    static bool IsJsonObject(string text)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object;
        }
        catch (System.Text.Json.JsonException) { return false; }
    }

    /// Whole or slide inference; `forceSlide` (--slide) uses the config's window or 512×512 with stride 341.
    public InferenceMode Mode(bool forceSlide)
    {
        if (Test.Mode != TestMode.Slide && !forceSlide) return InferenceMode.Whole;
        var crop = Test.Crop ?? new ImageSize(512, 512);
        var stride = Test.Stride ?? new ImageSize(341, 341);
        return new InferenceMode(true, (crop.Height, crop.Width), (stride.Height, stride.Width));
    }

    /// Class names and palette for drawing: the custom data set's when it has them, else Cityscapes
    /// for 19 classes, else "class k" with a generated palette.
    public (IReadOnlyList<string> Names, IReadOnlyList<(byte R, byte G, byte B)> Palette) Classes(int numClasses)
    {
        if (TestData?.Custom is { } c && c.ClassNames.Count == numClasses && c.Palette.Count == numClasses)
            return (c.ClassNames.ToList(), c.Palette.Select(p => (p.R, p.G, p.B)).ToList());
        return DefaultClasses(numClasses);
    }

    public static (IReadOnlyList<string> Names, IReadOnlyList<(byte R, byte G, byte B)> Palette) DefaultClasses(int numClasses)
    {
        if (numClasses == LabelMaps.NumClasses) return (LabelMaps.CityscapesClasses, LabelMaps.CityscapesPalette);
        var rng = new Random(numClasses);
        var names = Enumerable.Range(0, numClasses).Select(k => $"class {k}").ToList();
        var palette = Enumerable.Range(0, numClasses).Select(_ => ((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256))).ToList();
        return (names, palette);
    }
}
