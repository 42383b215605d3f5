namespace DaFormer.Training.Config;

/// Run names derived from the settings, as the original `experiments.py` builds them (`config_from_vars`):
/// `<source>2<target>_<uda>[_rcs<T>][_cpl]_<architecture>_<backbone>_<schedule>_s<seed>` (architecture =
/// the head's name, e.g. `sfa_dlv3p_nodbn`; backbone = the generator's key, e.g. `mitb5-del`, `x50-32`), then `.` removed,
/// `True`→`T`, `False`→`F`, `cityscapes`→`cs`, `synthia`→`syn`, `darkzurich`→`dzur`.
/// `<uda>` is the original's base-config name (`dacs`, `dacs_fd`, `dacs_fdthings`,
/// `dacs_a999_fdthings`, `source-only`, `target-only`). Settings the original never varies get a
/// token only when they differ from its values (EMA α ≠ 0.99/0.999 → `_a<α>`, FD λ ≠ 0.005 →
/// `fd…l<λ>`, other FD classes → `fdc<ids>`), so sweeps over them still get distinct names.
/// HRDA / MIC (the HRDA and MIC repositories' generator): datasets at full resolution get `HR`
/// (`gtaHR`, `cityscapesHR`, as in `uda_gtaHR_to_cityscapesHR_1024x1024.py`), a crop other than
/// 512×512 follows the dataset pair (`_1024x1024`), an RCS min crop ratio other than 0.5 follows the
/// temperature (`rcs0.01-2.0`), and the architecture is `hrda1-<detail crop>-<λ_d>[-opts]_<head>`
/// plus `_sl` under sliding-window test.
public static class RunName
{
    public static string Of(RunConfig cfg)
    {
        var name = $"{DatasetPairToken(cfg.Data)}_{UdaToken(cfg)}_"
                 + $"{ArchitectureToken(cfg)}_{cfg.Model.Encoder.GeneratorName()}_{ScheduleToken(cfg.Schedule)}"
                 + $"_s{cfg.Runtime.Seed}";
        return name.Replace(".", "").Replace("True", "T").Replace("False", "F")
            .Replace("cityscapes", "cs").Replace("synthia", "syn").Replace("darkzurich", "dzur");
    }

    /// The `<uda>[_rcs<T>][_cpl]` part; RCS and the pseudo-label crop only count in Dacs mode.
    public static string UdaToken(RunConfig cfg)
    {
        var uda = cfg.Uda;
        if (uda.Mode == UdaMode.SourceOnly) return "source-only";
        if (uda.Mode == UdaMode.TargetOnly) return "target-only";
        var s = "dacs";
        if (uda.EmaAlpha != 0.99)
        {
            var a = PythonFloat.Repr(uda.EmaAlpha);
            s += "_a" + (a.StartsWith("0.") ? a[2..] : a);
        }
        if (uda.FeatureDistance is { } fd)
        {
            s += "_fd";
            if (fd.Classes is null) { }
            else if (fd.Classes == FeatureDistance.ThingClasses) s += "things";
            else s += "c" + string.Join("-", fd.Classes);
            if (fd.Lambda != 0.005) s += "l" + PythonFloat.Repr(fd.Lambda);
        }
        if (cfg.Data.Rcs is { } rcs)
        {
            s += "_rcs" + PythonFloat.Repr(rcs.Temperature);
            if (rcs.MinCropRatio != 0.5) s += "-" + PythonFloat.Repr(rcs.MinCropRatio);
        }
        if (uda.PseudoLabelCrop is not null) s += "_cpl";
        if (uda.PseudoLabelMargins is not null) s += "_cpl2";
        if (uda.Mic is { } mic) s += MicToken(mic);
        return s;
    }

    /// The original's MIC part `_m<block>-<ratio>-[pN-]<mode>[-w<λ>]` with dots removed (`_m64-07-spta`);
    /// `pN` is `mask_pseudo_threshold=None` (no confidence weight).
    public static string MicToken(MicConfig mic)
    {
        var s = $"_m{mic.BlockSize}-{PythonNumber(mic.MaskRatio)}-";
        if (!mic.ConfidenceWeight) s += "pN-";
        s += mic.Mode switch
        {
            MaskMode.Separate => "sep",
            MaskMode.SeparateAug => "spa",
            MaskMode.SeparateSource => "sps",
            MaskMode.SeparateSourceAug => "spsa",
            MaskMode.SeparateTarget => "spt",
            MaskMode.SeparateTargetAug => "spta",
            _ => mic.Mode.ToString().ToLowerInvariant(),
        };
        if (mic.Lambda != 1) s += "-w" + PythonNumber(mic.Lambda);
        return s.Replace(".", "");
    }

    /// How the original's configs write these numbers: integers as ints (`mask_ratio=0`, `mask_lambda=1`), others as Python floats.
    static string PythonNumber(double x) => x == Math.Floor(x) && Math.Abs(x) < 1e15 ? ((long)x).ToString(System.Globalization.CultureInfo.InvariantCulture) : PythonFloat.Repr(x);

    /// `poly10warm` / `poly10` — the original's schedule config names: `poly` + str(power) without
    /// the dot (1.0 → "10"), `warm` with warmup.
    public static string ScheduleToken(ScheduleConfig s) => "poly" + PythonFloat.Repr(s.Power).Replace(".", "") + (s.Warmup is null ? "" : "warm");

    /// `<source>2<target>[_<H>x<W>]`; the crop suffix only for the original's datasets (the synthetic and
    /// custom domains have no 512×512 convention to depart from).
    public static string DatasetPairToken(DataConfig data)
    {
        var s = $"{DatasetToken(data.Source)}2{DatasetToken(data.Target)}";
        var own = data.Source.Kind is not (DatasetKind.Synthetic or DatasetKind.Custom)
               && data.Target.Kind is not (DatasetKind.Synthetic or DatasetKind.Custom);
        if (own && data.Crop != new ImageSize(512, 512)) s += $"_{data.Crop.Height}x{data.Crop.Width}";
        return s;
    }

    /// The decoder name, under HRDA prefixed by `hrda1-<detail crop>-<λ_d>[-opts]_` (the HRDA
    /// generator's architecture string, e.g. `hrda1-512-0.1_daformer_sepaspp`), then `_sl` when the test
    /// uses sliding windows.
    public static string ArchitectureToken(RunConfig cfg)
    {
        var s = cfg.Model.Decoder.Name();
        if (cfg.Model.Hrda is { } h)
        {
            var crop = h.DetailCrop.Height == h.DetailCrop.Width ? $"{h.DetailCrop.Height}" : $"{h.DetailCrop.Height}x{h.DetailCrop.Width}";
            var opts = "";
            if (h.FixedAttention is not null) opts += "-fixedatt";
            if (!h.HrSlideOverlapping) opts += "-nooverlap";
            if (!h.AttentionClasswise) opts += "-singleatt";
            if (h.BlurHrCrop) opts += "-blurhr";
            if (h.LrScale == 1) opts += "-samescale";
            else if (h.LrScale != 0.5) opts += "-sc" + PythonFloat.Repr(h.LrScale);
            s = $"hrda1-{crop}-{PythonFloat.Repr(h.HrLossWeight)}{opts}_{s}";
        }
        if (cfg.Runtime.Test.Mode == TestMode.Slide) s += "_sl";
        return s;
    }

    /// The full-resolution datasets of HRDA (twice DAFormer's scale) are `gtaHR`, `synthiaHR`, `cityscapesHR`.
    static bool IsFullResolution(DatasetConfig d) => d.Kind switch
    {
        DatasetKind.Gta => d.Scale == new ImageSize(2560, 1440),
        DatasetKind.Synthia => d.Scale == new ImageSize(2560, 1520),
        DatasetKind.Cityscapes => d.Scale == new ImageSize(2048, 1024),
        _ => false,
    };

    public static string DatasetToken(DatasetConfig d) => BaseDatasetToken(d) + (IsFullResolution(d) ? "HR" : "");

    static string BaseDatasetToken(DatasetConfig d) => d.Kind switch
    {
        DatasetKind.Gta => "gta",
        DatasetKind.Synthia => "synthia",
        DatasetKind.Cityscapes => "cityscapes",
        DatasetKind.Acdc => "acdc",
        DatasetKind.DarkZurich => "darkzurich",
        DatasetKind.Custom => d.Custom?.Name ?? "custom",
        DatasetKind.Synthetic => "synth" + Path.GetFileName(d.Root.TrimEnd('/', '\\')) switch
        {
            "source" => "src",
            "target" => "tgt",
            var other => other,
        },
        _ => d.Kind.ToString().ToLowerInvariant(),
    };
}

/// The generator's extra name fields (`name_dataset`, `name_architecture`, `name_encoder`,
/// `name_decoder`, `name_uda`, `name_opt`), for logs and result tables. Unlike the run name they are
/// not shortened (`gta2cityscapes`, `adamw_6e-05_pmTrue_poly10warm_1x2_40k`).
public sealed record RunNameParts(string Dataset, string Architecture, string Encoder, string Decoder, string Uda, string Opt)
{
    public static RunNameParts Of(RunConfig cfg)
    {
        var encoder = cfg.Model.Encoder.GeneratorName();
        var decoder = RunName.ArchitectureToken(cfg);
        var pmult = cfg.Optimizer.HeadLrMult == 10 ? "True" : cfg.Optimizer.HeadLrMult == 1 ? "False" : PythonFloat.Repr(cfg.Optimizer.HeadLrMult);
        var opt = $"adamw_{PythonFloat.Repr(cfg.Optimizer.Lr)}_pm{pmult}_{RunName.ScheduleToken(cfg.Schedule)}_1x{cfg.Data.BatchSize}_{cfg.Schedule.MaxIters / 1000}k";
        return new(
            RunName.DatasetPairToken(cfg.Data),
            $"{decoder}_{encoder}", encoder, decoder, RunName.UdaToken(cfg), opt);
    }
}
