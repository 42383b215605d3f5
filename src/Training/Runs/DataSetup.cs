using DaFormer.Model;
using DaFormer.Training.Config;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Converters;
using DaFormer.Training.Data.Datasets;
using DaFormer.Training.Data.Loader;
using DaFormer.Training.Data.Pipeline;
using DaFormer.Training.Data.Synthetic;

namespace DaFormer.Training.Runs;

/// Opens the data sets a config names, makes the built-in synthetic data on first use, and builds
/// the training loader and the validation iterator. The only place that maps config → data code.
public static class DataSetup
{
    /// Scans one data set in its published layout.
    public static SegDataset Open(DatasetConfig d, bool requireLabels, Action<string>? say = null)
    {
        switch (d.Kind)
        {
            case DatasetKind.Gta: return Gta.Scan(d.Root, requireLabels);
            case DatasetKind.Synthia: return Synthia.Scan(d.Root, requireLabels);
            case DatasetKind.Cityscapes: return Cityscapes.Scan(d.Root, d.Split, requireLabels);
            case DatasetKind.Acdc: return Acdc.Scan(d.Root, d.Split, requireLabels);
            case DatasetKind.DarkZurich: return DarkZurich.Scan(d.Root, d.Split, requireLabels);
            case DatasetKind.Custom:
                var c = d.Custom ?? throw new DaFormerError($"data set at {d.Root}: Kind is custom but no Custom layout is given.");
                return FolderPairs.Scan(Path.Combine(d.Root, c.ImageDir), Path.Combine(d.Root, c.LabelDir), c.ImageSuffix, c.LabelSuffix,
                    c.ClassNames.ToList(), c.Palette.Select(p => (p.R, p.G, p.B)).ToList(), c.IgnoreIndex, requireLabels, c.Name);
            case DatasetKind.Synthetic:
                EnsureSynthetic(d.Root, say);
                return IsSyntheticSource(d.Root) ? Gta.Scan(d.Root, requireLabels) : Cityscapes.Scan(d.Root, d.Split, requireLabels);
            default:
                throw new DaFormerError($"data set kind {d.Kind} is not supported.");
        }
    }

    static bool IsSyntheticSource(string root) => Path.GetFileName(Path.TrimEndingDirectorySeparator(root)) == "source";

    /// `data/synthetic/source` or `…/target`: generates the whole synthetic data set (both domains)
    /// when it is missing, then converts its raw labels like the real converters would.
    public static void EnsureSynthetic(string domainRoot, Action<string>? say = null)
    {
        var root = Path.GetDirectoryName(Path.GetFullPath(Path.TrimEndingDirectorySeparator(domainRoot)))!;
        var marker = Path.Combine(root, "synth.json");
        if (!File.Exists(marker))
        {
            say?.Invoke($"generating the synthetic two-domain data set in {root} (first use)…");
            SynthDataset.Write(root, new SynthOptions());
        }
        var source = Path.Combine(root, "source");
        var target = Path.Combine(root, "target");
        if (!File.Exists(Path.Combine(source, RcsStatistics.SampleClassStatsFile)))
        {
            say?.Invoke("converting synthetic source labels (GTA layout)…");
            GtaConverter.Run(source);
        }
        if (!Directory.EnumerateFiles(Path.Combine(target, "gtFine"), "*_labelTrainIds.png", SearchOption.AllDirectories).Any())
        {
            say?.Invoke("converting synthetic target labels (Cityscapes layout)…");
            CityscapesConverter.Run(target);
        }
    }

    public static PipelineSpec Pipeline(DatasetConfig d, ImageSize crop, double catMaxRatio) =>
        new(Math.Max(d.Scale.Width, d.Scale.Height), Math.Min(d.Scale.Width, d.Scale.Height), crop.Height, crop.Width, catMaxRatio);

    /// The data sets of a run, scanned once before anything expensive happens (so a wrong root fails fast).
    public sealed record RunData(SegDataset Source, DatasetConfig SourceConfig, SegDataset Target, SegDataset Validation, int ValScaleA, int ValScaleB);

    /// Opens the training source (the labelled target for the target-only oracle), the target
    /// (DACS only) and the validation set.
    public static RunData OpenAll(RunConfig cfg, Action<string>? say = null)
    {
        var data = cfg.Data;
        var mode = cfg.Uda.Mode;
        var sourceCfg = mode == UdaMode.TargetOnly ? data.Target : data.Source;
        var source = Open(sourceCfg, requireLabels: true, say);
        var target = mode == UdaMode.Dacs ? Open(data.Target, requireLabels: false, say) : source;
        var v = data.Validation;
        var validation = Open(v, requireLabels: true, say);
        return new RunData(source, sourceCfg, target, validation, Math.Max(v.Scale.Width, v.Scale.Height), Math.Min(v.Scale.Width, v.Scale.Height));
    }

    /// The training loader for a config: (source, target) pairs for DACS, the source alone for
    /// source-only, and the labelled target train set for the target-only oracle.
    public static UdaLoader TrainLoader(RunConfig cfg, RunData opened, long seed, long startBatch)
    {
        var data = cfg.Data;
        var mode = cfg.Uda.Mode;
        var sourceMax = mode == UdaMode.TargetOnly ? data.CatMaxRatioTarget : data.CatMaxRatioSource;
        var rcs = RcsSamplerFor(cfg, opened.SourceConfig, opened.Source);
        var spec = new UdaLoaderSpec(opened.Source, opened.Target,
            Pipeline(opened.SourceConfig, data.Crop, sourceMax), Pipeline(data.Target, data.Crop, data.CatMaxRatioTarget),
            data.BatchSize, seed, Workers: data.Workers, Rcs: rcs, WithTarget: mode == UdaMode.Dacs);
        return new UdaLoader(spec, startBatch);
    }

    /// The Rare Class Sampler of a DACS run with RCS on (null otherwise), from the statistics the
    /// converter wrote into the source root. Throws naming the file or min_pixels when it cannot work.
    static RcsSampler? RcsSamplerFor(RunConfig cfg, DatasetConfig sourceConfig, SegDataset source)
    {
        if (cfg.Uda.Mode != UdaMode.Dacs || cfg.Data.Rcs is not { } r) return null;
        var stats = RcsStatistics.Load(StatsDir(sourceConfig), ConfigValidation.ConvertCommandFor(sourceConfig));
        return RcsSampler.Create(stats.SampleClassStats.Select(s => s.PixelsPerClass).ToList(), stats.SampleClassStats.Select(s => s.File).ToList(),
            source.Samples.Select(s => s.LabelPath!).ToList(), new RcsSettings(r.Temperature, r.MinPixels, r.MinCropRatio));
    }

    /// What the run would reject about its data before the first iteration, found without decoding
    /// an image or generating anything (what `run --dry-run` adds to the field checks): every data set
    /// is scanned in its layout and the RCS sampler is built from the statistics (missing or stale
    /// files, a min_pixels no image reaches). A synthetic data set not generated yet is skipped — the
    /// run makes it on first use.
    public static IReadOnlyList<ConfigProblem> Preflight(RunConfig cfg)
    {
        var problems = new List<ConfigProblem>();
        var data = cfg.Data;
        var mode = cfg.Uda.Mode;
        SegDataset? TryOpen(string path, DatasetConfig d, bool labels)
        {
            if (d.Kind == DatasetKind.Synthetic && !SyntheticExists(d.Root)) return null;
            try { return Open(d, labels); }
            catch (DaFormerError e) { problems.Add(new ConfigProblem(path, e.Message)); return null; }
        }
        var (sourcePath, sourceConfig) = mode == UdaMode.TargetOnly ? ("Data.Target", data.Target) : ("Data.Source", data.Source);
        var source = TryOpen(sourcePath, sourceConfig, labels: true);
        if (mode == UdaMode.Dacs) TryOpen("Data.Target", data.Target, labels: false);
        TryOpen("Data.Validation", data.Validation, labels: true);
        if (source is not null)
        {
            try { RcsSamplerFor(cfg, sourceConfig, source); }
            catch (DaFormerError e) { problems.Add(new ConfigProblem("Data.Rcs", e.Message)); }
        }
        return problems;
    }

    // Generated and converted already (else the run does both on first use and there is nothing to scan yet).
    static bool SyntheticExists(string domainRoot)
    {
        var root = Path.GetDirectoryName(Path.GetFullPath(Path.TrimEndingDirectorySeparator(domainRoot)))!;
        if (!File.Exists(Path.Combine(root, "synth.json"))) return false;
        return IsSyntheticSource(domainRoot)
            ? File.Exists(Path.Combine(domainRoot, RcsStatistics.SampleClassStatsFile))
            : Directory.Exists(Path.Combine(domainRoot, "gtFine"))
              && Directory.EnumerateFiles(Path.Combine(domainRoot, "gtFine"), "*_labelTrainIds.png", SearchOption.AllDirectories).Any();
    }

    /// Where a source's RCS statistics live (the converter writes them into the data set root).
    static string StatsDir(DatasetConfig d) => d.Root;
}
