using DaFormer.Model.Segmentors;
using System.Globalization;
using DaFormer.Model.Runtime;

namespace DaFormer.Training.Config;

/// Checks a run config once, before anything trains, and reports every problem at once with its
/// field path. Pure except for the optional `pathExists` probe (data roots, pretrained file), which
/// callers inject (tests pass a fake; the CLI passes <see cref="FileSystem"/>).
public static class ConfigValidation
{
    public static readonly Func<string, bool> FileSystem = p => File.Exists(p) || Directory.Exists(p);

    public static IReadOnlyList<ConfigProblem> Validate(RunConfig cfg, Func<string, bool>? pathExists = null)
    {
        var p = new List<ConfigProblem>();
        void Add(string path, string message) => p.Add(new(path, message));
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

        void Positive(string path, double v) { if (!(v > 0)) Add(path, $"{F(v)} must be > 0"); }
        void NonNegative(string path, double v) { if (!(v >= 0)) Add(path, $"{F(v)} must be ≥ 0"); }
        void InUnit(string path, double v) { if (!(v >= 0 && v <= 1)) Add(path, $"{F(v)} is outside [0, 1]"); }
        void Finite(string path, double v) { if (!double.IsFinite(v)) Add(path, $"{F(v)} must be a finite number"); }

        // ---- Model
        var m = cfg.Model;
        if (m.NumClasses < 1) Add("Model.NumClasses", $"{m.NumClasses} must be ≥ 1");
        if (m.Channels < 1) Add("Model.Channels", $"{m.Channels} must be ≥ 1");
        if (!(m.DropPathRate >= 0 && m.DropPathRate < 1)) Add("Model.DropPathRate", $"{F(m.DropPathRate)} is outside [0, 1)");
        if (!(m.DropoutRatio >= 0 && m.DropoutRatio < 1)) Add("Model.DropoutRatio", $"{F(m.DropoutRatio)} is outside [0, 1)");
        if (!Enum.IsDefined(m.Encoder)) Add("Model.Encoder", $"{m.Encoder} is not an encoder; expected one of {string.Join(", ", Enum.GetValues<Encoder>().Select(e => e.Name()))}");
        if (!Enum.IsDefined(m.Decoder)) Add("Model.Decoder", $"{m.Decoder} is not a decoder; expected one of {string.Join(", ", Enum.GetValues<Decoder>().Select(d => d.Name()))}");
        else if (Enum.IsDefined(m.Encoder) && !ArchitectureNames.Fits(m.Encoder, m.Decoder))
            Add("Model.Decoder", $"{m.Decoder.Name()} does not fit the encoder {m.Encoder.Name()} (Model.Encoder): the original builds no such model. "
                + $"{m.Decoder.Name()} goes with {string.Join(", ", Enum.GetValues<Encoder>().Where(e => ArchitectureNames.Fits(e, m.Decoder)).Select(e => e.Name()))}; "
                + $"{m.Encoder.Name()} takes {string.Join(", ", ArchitectureNames.HeadsFor(m.Encoder).Select(d => d.Name()))}. "
                + $"Pairings that exist: {ArchitectureNames.Pairings()}");
        if (m.Pretrained is { } pre)
        {
            if (string.IsNullOrWhiteSpace(pre)) Add("Model.Pretrained", "is empty; give a file or null to train from scratch");
            else if (ForeignImageNetWeights(m.Encoder, pre) is { } owner)
                Add("Model.Pretrained", $"{pre} holds the ImageNet weights of {owner.Name()}, not of the encoder {m.Encoder.Name()}; "
                    + $"use {m.Encoder.PretrainedFile()} (cfg.WithArchitecture sets it with the encoder), or null to train from scratch");
            else if (pathExists is not null && !pathExists(pre))
                Add("Model.Pretrained", $"{pre} does not exist (put the ImageNet weights there, or set Model.Pretrained = null to train from scratch)");
        }

        if (m.Hrda is { } hrda) ValidateHrda(hrda, m, cfg.Data.Crop, Add);

        // ---- Data
        var d = cfg.Data;
        var mode = cfg.Uda.Mode;
        var used = new List<(string Path, DatasetConfig Set, bool NeedsLabels)>();
        if (mode != UdaMode.TargetOnly) used.Add(("Data.Source", d.Source, true));
        if (mode != UdaMode.SourceOnly) used.Add(("Data.Target", d.Target, mode == UdaMode.TargetOnly));
        used.Add(("Data.Validation", d.Validation, true));
        foreach (var (path, set, needsLabels) in used) ValidateDataset(path, set, needsLabels, pathExists, Add);
        var classCounts = used.Select(u => (u.Path, Count: ClassCount(u.Set, m.NumClasses))).ToList();
        foreach (var (path, count) in classCounts.Where(c => c.Count != m.NumClasses))
            Add(path, $"has {count} classes but Model.NumClasses is {m.NumClasses}; source, target and validation must share one class list");

        if (d.Crop.Width < 1 || d.Crop.Height < 1) Add("Data.Crop", $"{d.Crop} must be positive");
        else
        {
            foreach (var (path, set, _) in used.Where(u => u.Path != "Data.Validation"))
            {
                // Keep-ratio resize bounds the short side by min(scale) and the long side by max(scale) (spec §2.2).
                var s = set.Scale;
                if (d.Crop.Height > Math.Min(s.Width, s.Height) || d.Crop.Width > Math.Max(s.Width, s.Height))
                    Add("Data.Crop", $"{d.Crop} is larger than the images of {path} resized to scale {s} (crop would be mostly padding)");
            }
        }
        if (d.BatchSize < 1) Add("Data.BatchSize", $"{d.BatchSize} must be ≥ 1");
        if (d.Workers < 0) Add("Data.Workers", $"{d.Workers} must be ≥ 0");
        if (!(d.CatMaxRatioSource > 0 && d.CatMaxRatioSource <= 1)) Add("Data.CatMaxRatioSource", $"{F(d.CatMaxRatioSource)} is outside (0, 1]");
        if (!(d.CatMaxRatioTarget > 0 && d.CatMaxRatioTarget <= 1)) Add("Data.CatMaxRatioTarget", $"{F(d.CatMaxRatioTarget)} is outside (0, 1]");
        if (d.Rcs is { } rcs)
        {
            if (!(rcs.Temperature > 0)) Add("Data.Rcs.Temperature", $"{F(rcs.Temperature)} must be > 0 (use double.PositiveInfinity for uniform class sampling)");
            if (rcs.MinPixels < 0) Add("Data.Rcs.MinPixels", $"{rcs.MinPixels} must be ≥ 0");
            // A factor on MinPixels, not a share: HRDA's 1024² crops use 2.0 (> 6000 pixels of the class).
            if (!(rcs.MinCropRatio >= 0 && double.IsFinite(rcs.MinCropRatio)))
                Add("Data.Rcs.MinCropRatio", $"{F(rcs.MinCropRatio)} must be a finite number ≥ 0 (a crop is kept when it has more than MinPixels × MinCropRatio pixels of the sampled class)");
        }

        // ---- UDA (the DACS knobs matter in Dacs mode only, but a nonsensical value is still reported)
        var u = cfg.Uda;
        if (!Enum.IsDefined(u.Mode)) Add("Uda.Mode", $"{u.Mode} is not a mode; expected Dacs, SourceOnly or TargetOnly");
        InUnit("Uda.EmaAlpha", u.EmaAlpha);
        InUnit("Uda.PseudoThreshold", u.PseudoThreshold);
        if (u.PseudoLabelCrop is { } plc)
        {
            if (plc.Top < 0) Add("Uda.PseudoLabelCrop.Top", $"{plc.Top} must be ≥ 0");
            if (plc.Bottom < 0) Add("Uda.PseudoLabelCrop.Bottom", $"{plc.Bottom} must be ≥ 0");
            if (plc.Top + plc.Bottom >= d.Crop.Height)
                Add("Uda.PseudoLabelCrop", $"top {plc.Top} + bottom {plc.Bottom} rows leave nothing of the {d.Crop.Height}-row crop");
        }
        if (u.PseudoLabelMargins is { } margins)
        {
            if (u.PseudoLabelCrop is not null)
                Add("Uda.PseudoLabelMargins", "and Uda.PseudoLabelCrop are both set; the original uses one or the other (margins v2 under HRDA, the 15/120-row crop under DAFormer)");
            foreach (var (side, v) in new[] { ("Top", margins.Top), ("Bottom", margins.Bottom), ("Left", margins.Left), ("Right", margins.Right) })
                if (v < 0) Add($"Uda.PseudoLabelMargins.{side}", $"{v} must be ≥ 0");
            var r = margins.Reference;
            if (r.Width < 1 || r.Height < 1) Add("Uda.PseudoLabelMargins.Reference", $"{r} must be positive");
            else if (margins.Top + margins.Bottom >= r.Height || margins.Left + margins.Right >= r.Width)
                Add("Uda.PseudoLabelMargins", $"top {margins.Top} + bottom {margins.Bottom} rows or left {margins.Left} + right {margins.Right} columns leave nothing of the {r} image");
        }
        NonNegative("Uda.ColorJitter.Strength", u.ColorJitter.Strength);
        InUnit("Uda.ColorJitter.Probability", u.ColorJitter.Probability);
        if (u.FeatureDistance is not null && mode == UdaMode.Dacs && m.Pretrained is null)
            Add("Uda.FeatureDistance", "needs ImageNet features, but Model.Pretrained is null: the frozen \"ImageNet\" copy would be a " +
                                       "randomly initialised network and FD would pull the encoder towards noise. Set Model.Pretrained to the " +
                                       $"ImageNet weights (e.g. pretrained/{m.Encoder.Name()}.pth, `daformer download-checkpoints`) or set Uda.FeatureDistance = null");
        if (u.FeatureDistance is { } fd)
        {
            Positive("Uda.FeatureDistance.Lambda", fd.Lambda);
            Finite("Uda.FeatureDistance.Lambda", fd.Lambda);
            if (fd.Classes is { } classes)
            {
                if (classes.Count == 0) Add("Uda.FeatureDistance.Classes", "is empty; use null for all pixels or list the class IDs");
                var outside = classes.Where(c => c < 0 || c >= m.NumClasses).ToList();
                if (outside.Count > 0)
                    Add("Uda.FeatureDistance.Classes", $"{string.Join(", ", outside)} outside the class list 0…{m.NumClasses - 1}");
                if (classes.Distinct().Count() != classes.Count) Add("Uda.FeatureDistance.Classes", $"{classes} lists a class twice");
                if (fd.MinRatio is not { } r) Add("Uda.FeatureDistance.MinRatio", "is null; class-restricted FD needs the pooling threshold (0.75 in the original)");
                else if (!(r > 0 && r <= 1)) Add("Uda.FeatureDistance.MinRatio", $"{F(r)} is outside (0, 1]");
            }
        }

        if (u.Mic is { } mic) ValidateMic(mic, u.Mode, d, Add);

        // ---- Optimizer
        var o = cfg.Optimizer;
        Positive("Optimizer.Lr", o.Lr);
        Finite("Optimizer.Lr", o.Lr);
        if (!(o.Beta1 >= 0 && o.Beta1 < 1)) Add("Optimizer.Beta1", $"{F(o.Beta1)} is outside [0, 1)");
        if (!(o.Beta2 >= 0 && o.Beta2 < 1)) Add("Optimizer.Beta2", $"{F(o.Beta2)} is outside [0, 1)");
        NonNegative("Optimizer.WeightDecay", o.WeightDecay);
        Positive("Optimizer.Eps", o.Eps);
        Positive("Optimizer.HeadLrMult", o.HeadLrMult);
        if (o.NoDecayKeys.Any(string.IsNullOrWhiteSpace)) Add("Optimizer.NoDecayKeys", "contains an empty key (it would match every parameter)");

        // ---- Schedule
        var s2 = cfg.Schedule;
        if (s2.MaxIters < 1) Add("Schedule.MaxIters", $"{s2.MaxIters} must be ≥ 1");
        NonNegative("Schedule.Power", s2.Power);
        NonNegative("Schedule.MinLr", s2.MinLr);
        if (s2.Warmup is { } w)
        {
            if (w.Iters < 1) Add("Schedule.Warmup.Iters", $"{w.Iters} must be ≥ 1 (use Warmup = null for no warmup)");
            InUnit("Schedule.Warmup.Ratio", w.Ratio);
        }

        // ---- Runtime
        var rt = cfg.Runtime;
        if (rt.Seed < 0) Add("Runtime.Seed", $"{rt.Seed} must be ≥ 0");
        if (rt.EvalInterval < 1) Add("Runtime.EvalInterval", $"{rt.EvalInterval} must be ≥ 1");
        if (rt.CheckpointInterval < 1) Add("Runtime.CheckpointInterval", $"{rt.CheckpointInterval} must be ≥ 1");
        if (rt.KeepCheckpoints < 1) Add("Runtime.KeepCheckpoints", $"{rt.KeepCheckpoints} must be ≥ 1");
        if (rt.LogInterval < 1) Add("Runtime.LogInterval", $"{rt.LogInterval} must be ≥ 1");
        if (rt.DebugImageInterval < 1) Add("Runtime.DebugImageInterval", $"{rt.DebugImageInterval} must be ≥ 1");
        if (rt.Test.Mode == TestMode.Slide)
        {
            if (rt.Test.Crop is not { Width: > 0, Height: > 0 } tc) Add("Runtime.Test.Crop", "slide mode needs a positive window size");
            else if (rt.Test.Stride is not { Width: > 0, Height: > 0 } ts) Add("Runtime.Test.Stride", "slide mode needs a positive stride");
            else if (ts.Width > tc.Width || ts.Height > tc.Height) Add("Runtime.Test.Stride", $"{ts} is larger than the window {tc} (pixels would be skipped)");
        }
        return p;
    }

    /// The encoder whose ImageNet file this is, when it is another encoder's (`--set Model.Encoder=s101`
    /// leaves `pretrained/mit_b5.pth` in place, which would load nothing useful). Other files pass.
    static Encoder? ForeignImageNetWeights(Encoder encoder, string file)
    {
        if (!Enum.IsDefined(encoder)) return null;
        var name = Path.GetFileName(file);
        if (name == Path.GetFileName(encoder.PretrainedFile())) return null;
        foreach (var e in Enum.GetValues<Encoder>())
            if (Path.GetFileName(e.PretrainedFile()) == name) return e;
        return null;
    }

    /// HRDA's geometry must fit the training crop the way the original's `get_crop_bbox` and
    /// `HRDAHead` need it; every combination that would crash or silently misalign is named here.
    static void ValidateHrda(HrdaConfig h, ModelConfig m, ImageSize crop, Action<string, string> add)
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        const int HeadStride = 4; // output stride of the DAFormer head on MiT features
        if (SegmentorFactory.HrdaFusion(m.Decoder.Name()) is null)
            add("Model.Hrda", $"HRDA wraps a DAFormer head ({SegmentorFactory.HrdaHeads()}), not {m.Decoder.Name()}");
        var scalesOk = h.Scales.Count == 2 && h.Scales.All(s => s > 0 && s <= 1);
        if (!scalesOk)
            add("Model.Hrda.Scales", $"{h.Scales} must be two scales in (0, 1], e.g. [1, 0.5] (context and detail view)");
        else if (h.HrScale != 1)
            add("Model.Hrda.Scales", $"{h.Scales}: the larger scale must be 1 (the detail crop box is applied unchanged to the full-resolution labels)");
        var lrStep = 0; // full-resolution pixels per context logit cell
        if (scalesOk && h.HrScale == 1)
        {
            var inverse = 1 / h.LrScale;
            if (Math.Abs(inverse - Math.Round(inverse)) > 1e-9)
                add("Model.Hrda.Scales", $"the context scale {F(h.LrScale)} must be 1/n (1, 0.5, 0.25, …) so that a context logit cell covers a whole block of full-resolution pixels");
            else lrStep = HeadStride * (int)Math.Round(inverse);
        }
        if (h.DetailCrop.Width < 1 || h.DetailCrop.Height < 1)
        {
            add("Model.Hrda.DetailCrop", $"{h.DetailCrop} must be positive");
            return;
        }
        if (h.DetailCrop.Width % HeadStride != 0 || h.DetailCrop.Height % HeadStride != 0)
            add("Model.Hrda.DetailCrop", $"{h.DetailCrop} must be a multiple of {HeadStride} in both sides (the head's output stride; the detail logits are inserted cell by cell)");
        if (h.CropCoordDivisible < 1) add("Model.Hrda.CropCoordDivisible", $"{h.CropCoordDivisible} must be ≥ 1");
        if (crop.Width >= 1 && crop.Height >= 1)
        {
            if (h.DetailCrop.Width > crop.Width || h.DetailCrop.Height > crop.Height)
                add("Data.Crop", $"{crop} is smaller than the HRDA detail crop Model.Hrda.DetailCrop = {h.DetailCrop}; the detail crop is cut from the training crop, so it must fit inside it");
            else if (h.CropCoordDivisible >= 1 && !(h.DetailCrop == crop))
            {
                // get_crop_bbox draws offsets d·randint(0, (margin + 1) // d): an empty range raises in the original.
                foreach (var (side, margin) in new[] { ("height", crop.Height - h.DetailCrop.Height), ("width", crop.Width - h.DetailCrop.Width) })
                    if ((margin + 1) / h.CropCoordDivisible == 0)
                        add("Model.Hrda.DetailCrop", $"{h.DetailCrop} leaves a {side} margin of {margin} px in the {crop} training crop; the crop offset (a multiple of CropCoordDivisible = {h.CropCoordDivisible}) has no room. Make the detail crop equal to the training crop in both sides, or at least {h.CropCoordDivisible - 1} px smaller in each");
            }
            if (lrStep > 0 && (crop.Width % lrStep != 0 || crop.Height % lrStep != 0))
                add("Data.Crop", $"{crop} is not divisible by {lrStep}: with the context scale {F(h.LrScale)} one context logit cell covers {lrStep}×{lrStep} px, and the crop must be a whole number of cells so the context and detail logits line up");
        }
        foreach (var (path, w) in new[] { ("Model.Hrda.HrLossWeight", h.HrLossWeight), ("Model.Hrda.LrLossWeight", h.LrLossWeight) })
            if (!(w >= 0 && w <= 1)) add(path, $"{F(w)} is outside [0, 1]");
        if (h.HrLossWeight + h.LrLossWeight > 1)
            add("Model.Hrda.HrLossWeight", $"HrLossWeight {F(h.HrLossWeight)} + LrLossWeight {F(h.LrLossWeight)} exceed 1; the fused loss gets 1 − both");
        if (h.AttentionEmbedDim < 1) add("Model.Hrda.AttentionEmbedDim", $"{h.AttentionEmbedDim} must be ≥ 1");
        if (h.FixedAttention is { } fa && !(fa >= 0 && fa <= 1)) add("Model.Hrda.FixedAttention", $"{F(fa)} is outside [0, 1]");
        if (h.FeatureScale is { } fs && !h.Scales.Contains(fs))
            add("Model.Hrda.FeatureScale", $"{F(fs)} is not one of the scales {h.Scales}; use one of them or null (the original's 'all')");
    }

    /// MIC's knobs (the original's `mask_*` settings) against what the masked step can do on this crop.
    static void ValidateMic(MicConfig mic, UdaMode mode, DataConfig d, Action<string, string> add)
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        if (mode != UdaMode.Dacs)
            add("Uda.Mic", $"is a step of DACS self-training, but Uda.Mode is {mode}; set Mode = Dacs or Mic = null");
        if (!Enum.IsDefined(mic.Mode))
            add("Uda.Mic.Mode", $"{mic.Mode} is not a mask mode; expected separate, separateaug, separatesrc, separatesrcaug, separatetrg or separatetrgaug");
        else if (mic.Mode is MaskMode.Separate or MaskMode.SeparateAug && d.BatchSize != 2)
            add("Uda.Mic.Mode", $"'{(mic.Mode == MaskMode.Separate ? "separate" : "separateaug")}' pairs one source and one target image and needs Data.BatchSize = 2 (it is {d.BatchSize})");
        if (mic.BlockSize < 1) add("Uda.Mic.BlockSize", $"{mic.BlockSize} must be ≥ 1 (pixels per block side; 32 for 512² crops, 64 for 1024²)");
        else if (d.Crop.Width >= 1 && d.Crop.Height >= 1)
        {
            var (rows, cols) = (Math.Round((double)d.Crop.Height / mic.BlockSize, MidpointRounding.ToEven), Math.Round((double)d.Crop.Width / mic.BlockSize, MidpointRounding.ToEven));
            if (rows < 1 || cols < 1)
                add("Uda.Mic.BlockSize", $"{mic.BlockSize} leaves no block in the {d.Crop} crop (grid round(H/b)×round(W/b) = {rows}×{cols}); use a block size below the crop side");
        }
        if (!(mic.MaskRatio >= 0 && mic.MaskRatio < 1))
            add("Uda.Mic.MaskRatio", $"{F(mic.MaskRatio)} is outside [0, 1) (the share of blocks masked; 1 would blank the whole image)");
        if (!(mic.Lambda > 0 && double.IsFinite(mic.Lambda)))
            add("Uda.Mic.Lambda", $"{F(mic.Lambda)} must be a finite number > 0 (use Uda.Mic = null to turn MIC off)");
        if (!(mic.ColorJitter.Strength >= 0)) add("Uda.Mic.ColorJitter.Strength", $"{F(mic.ColorJitter.Strength)} must be ≥ 0");
        if (!(mic.ColorJitter.Probability >= 0 && mic.ColorJitter.Probability <= 1))
            add("Uda.Mic.ColorJitter.Probability", $"{F(mic.ColorJitter.Probability)} is outside [0, 1]");
    }

    static readonly Dictionary<DatasetKind, string[]> Splits = new()
    {
        [DatasetKind.Gta] = ["train"],
        [DatasetKind.Synthia] = ["train"],
        [DatasetKind.Cityscapes] = ["train", "val", "test"],
        [DatasetKind.Acdc] = ["train", "val", "test"],
        [DatasetKind.DarkZurich] = ["train", "val", "test"],
        [DatasetKind.Synthetic] = ["train", "val"],
    };

    static int ClassCount(DatasetConfig set, int fallback) =>
        set.Kind == DatasetKind.Custom ? set.Custom?.ClassNames.Count ?? fallback : 19;

    static void ValidateDataset(string path, DatasetConfig set, bool needsLabels,
        Func<string, bool>? pathExists, Action<string, string> add)
    {
        if (!Enum.IsDefined(set.Kind)) { add($"{path}.Kind", $"{set.Kind} is not a data set kind"); return; }
        if (string.IsNullOrWhiteSpace(set.Root)) add($"{path}.Root", "is empty");
        // The synthetic data is generated on first use (README quickstart), so a missing root is fine,
        // but the run reads the domain from the folder name: anything but source/target is a typo.
        if (set.Kind == DatasetKind.Synthetic && !string.IsNullOrWhiteSpace(set.Root)
            && Path.GetFileName(Path.TrimEndingDirectorySeparator(set.Root)) is not ("source" or "target"))
            add($"{path}.Root", $"{set.Root} is not a synthetic domain folder; expected DIR/source (the game-like source, GTA layout) or DIR/target (the camera-like target, Cityscapes layout), e.g. data/synthetic/source");
        else if (pathExists is not null && set.Kind != DatasetKind.Synthetic && !pathExists(set.Root))
            add($"{path}.Root", $"{set.Root} does not exist ({Hint(set.Kind)})");
        if (Splits.TryGetValue(set.Kind, out var splits) && !splits.Contains(set.Split))
            add($"{path}.Split", $"'{set.Split}' is not a split of {set.Kind}; expected {string.Join(" or ", splits)}");
        if (needsLabels && set.Split == "test")
            add($"{path}.Split", "'test' has no public labels; use 'val' (or 'train')");
        if (needsLabels && set.Kind == DatasetKind.DarkZurich && set.Split == "train")
            add($"{path}.Split", "Dark Zurich 'train' has no labels; it can only be an unlabelled Dacs target");
        if (set.Scale.Width < 1 || set.Scale.Height < 1) add($"{path}.Scale", $"{set.Scale} must be positive");

        if (set.Kind != DatasetKind.Custom)
        {
            if (set.Custom is not null) add($"{path}.Custom", $"is only used with Kind = Custom (Kind is {set.Kind})");
            return;
        }
        if (set.Custom is not { } c) { add($"{path}.Custom", "is null; a Custom data set needs its folder-pair layout (image/label dirs, suffixes, classes, palette)"); return; }
        if (string.IsNullOrWhiteSpace(c.ImageDir)) add($"{path}.Custom.ImageDir", "is empty");
        if (string.IsNullOrWhiteSpace(c.LabelDir)) add($"{path}.Custom.LabelDir", "is empty");
        if (string.IsNullOrEmpty(c.ImageSuffix)) add($"{path}.Custom.ImageSuffix", "is empty");
        if (string.IsNullOrEmpty(c.LabelSuffix)) add($"{path}.Custom.LabelSuffix", "is empty");
        if (c.ImageDir == c.LabelDir && c.ImageSuffix == c.LabelSuffix)
            add($"{path}.Custom.LabelSuffix", "equals the image suffix in the same folder; labels would be the images");
        if (c.ClassNames.Count == 0) add($"{path}.Custom.ClassNames", "is empty");
        if (c.Palette.Count != c.ClassNames.Count) add($"{path}.Custom.Palette", $"has {c.Palette.Count} colours for {c.ClassNames.Count} classes");
        if (c.IgnoreIndex < 0 || c.IgnoreIndex > 255) add($"{path}.Custom.IgnoreIndex", $"{c.IgnoreIndex} is outside 0…255 (labels are 8-bit)");
        else if (c.IgnoreIndex < c.ClassNames.Count) add($"{path}.Custom.IgnoreIndex", $"{c.IgnoreIndex} is a class ID (classes are 0…{c.ClassNames.Count - 1})");
        if (string.IsNullOrEmpty(c.Name) || !c.Name.All(char.IsAsciiLetterOrDigit))
            add($"{path}.Custom.Name", $"'{c.Name}' must be letters and digits (it becomes part of the run name)");
    }

    /// The `daformer convert …` command that writes a data set's train-ID labels and RCS statistics.
    public static string ConvertCommandFor(DatasetConfig set) => set.Kind switch
    {
        DatasetKind.Custom when set.Custom is { } c =>
            $"daformer convert custom {set.Root} --labels {c.LabelDir} --label-suffix {c.LabelSuffix} --classes {c.ClassNames.Count}" +
            (c.IgnoreIndex != 255 ? $" --ignore {c.IgnoreIndex}" : ""),
        _ => $"daformer convert {set.Kind.ToString().ToLowerInvariant()} {set.Root}",
    };

    static string Hint(DatasetKind kind) => kind switch
    {
        DatasetKind.Gta => "download GTA5 and run `daformer convert gta ROOT`",
        DatasetKind.Synthia => "download Synthia RAND-CITYSCAPES and run `daformer convert synthia ROOT`",
        DatasetKind.Cityscapes => "download Cityscapes leftImg8bit + gtFine and run `daformer convert cityscapes ROOT`",
        DatasetKind.Acdc => "download ACDC (rgb_anon, gt)",
        DatasetKind.DarkZurich => "download Dark Zurich",
        _ => "check the path; relative paths start at the current directory",
    };
}
