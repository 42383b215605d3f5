using DaFormer.Training.Randomness;
using System.Text.Json;
using DaFormer.Model;
using DaFormer.Training.Data.Formats;

namespace DaFormer.Training.Data.Synthetic;

/// Settings of `daformer synth`. `Images` source images and as many target training images;
/// `TargetVal` target validation images (default Images/4). `Gap` scales the target look (1 = default).
public sealed record SynthOptions(int Images = 200, int Width = 256, int Height = 128, int Seed = 0, int? TargetVal = null, double Gap = 1.0)
{
    public int TargetValImages => TargetVal ?? Math.Max(1, Images / 4);

    public void Validate()
    {
        if (Images < 1) throw new DaFormerError($"--images must be ≥ 1, got {Images}.");
        if (Width < 32 || Height < 16 || Width > 8192 || Height > 8192) throw new DaFormerError($"--size {Width}x{Height} is out of range (32x16 … 8192x8192).");
        if (TargetValImages < 1) throw new DaFormerError($"the target validation split needs ≥ 1 image, got {TargetValImages}.");
        if (Gap < 0 || Gap > 3) throw new DaFormerError($"--gap must be in [0, 3], got {Gap}.");
    }
}

public enum SynthDomain { Source, TargetTrain, TargetVal }

/// One generated image: RGB pixels (HWC) and train IDs.
public sealed record SynthImage(RgbImage Image, LabelMap TrainIds);

/// The built-in two-domain data set: source in the GTA layout (`source/images/00000.png`,
/// `source/labels/00000.png` palette PNG of Cityscapes label IDs) and target in the Cityscapes
/// layout (`target/leftImg8bit/{train,val}/<city>/<city>_<seq>_000019_leftImg8bit.png`,
/// `target/gtFine/.../*_gtFine_labelIds.png` 8-bit grey label IDs). Run the converters afterwards
/// to get `_labelTrainIds.png` and the RCS statistics.
public static class SynthDataset
{
    public static readonly string[] TrainCities = ["synthtown", "synthville"];
    public const string ValCity = "synthburg";

    /// Image `index` of a domain: a pure function of (options, domain, index).
    public static SynthImage Render(SynthOptions o, SynthDomain domain, int index)
    {
        var rng = RandomStreams.ForSample(o.Seed, index, (int)SampleStream.Synthetic + (int)domain);
        var profile = domain == SynthDomain.Source ? SceneProfile.Source : SceneProfile.Target;
        var canvas = SceneGenerator.Generate(o.Width, o.Height, profile, rng);
        var pixels = domain == SynthDomain.Source ? DomainStyle.RenderSource(canvas, rng) : DomainStyle.RenderTarget(canvas, rng, o.Gap);
        return new SynthImage(new RgbImage(o.Width, o.Height, pixels), new LabelMap(o.Width, o.Height, canvas.Label));
    }

    public static (string Image, string Label) SourcePaths(string root, int index) =>
        (Path.Combine(root, "source", "images", $"{index:D5}.png"), Path.Combine(root, "source", "labels", $"{index:D5}.png"));

    public static (string Image, string Label) TargetPaths(string root, bool val, int index)
    {
        var split = val ? "val" : "train";
        var city = val ? ValCity : TrainCities[index % TrainCities.Length];
        var stem = $"{city}_{index:D6}_000019";
        return (Path.Combine(root, "target", "leftImg8bit", split, city, stem + "_leftImg8bit.png"),
                Path.Combine(root, "target", "gtFine", split, city, stem + "_gtFine_labelIds.png"));
    }

    /// Writes the whole data set (in parallel; output identical for any thread count). Returns the
    /// pixel count of every train ID per domain (source, target train, target val).
    public static long[][] Write(string root, SynthOptions o, Action<int>? progress = null, int? threads = null)
    {
        o.Validate();
        var jobs = new List<(SynthDomain Domain, int Index)>();
        for (var i = 0; i < o.Images; i++) jobs.Add((SynthDomain.Source, i));
        for (var i = 0; i < o.Images; i++) jobs.Add((SynthDomain.TargetTrain, i));
        for (var i = 0; i < o.TargetValImages; i++) jobs.Add((SynthDomain.TargetVal, i));
        var done = 0;
        var counts = new long[3][];
        for (var d = 0; d < 3; d++) counts[d] = new long[CsClass.Names.Count];
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount }, job =>
        {
            var img = Render(o, job.Domain, job.Index);
            var ids = ToLabelIds(img.TrainIds);
            var local = new long[CsClass.Names.Count];
            foreach (var t in img.TrainIds.Values) if (t < local.Length) local[t]++;
            for (var k = 0; k < local.Length; k++) Interlocked.Add(ref counts[(int)job.Domain][k], local[k]);
            if (job.Domain == SynthDomain.Source)
            {
                var (ip, lp) = SourcePaths(root, job.Index);
                ImageIo.WriteRgb(ip, img.Image);
                PalettePng.Write(lp, ids, CsClass.LabelIdPalette);
            }
            else
            {
                var (ip, lp) = TargetPaths(root, job.Domain == SynthDomain.TargetVal, job.Index);
                ImageIo.WriteRgb(ip, img.Image);
                ImageIo.WriteLabel(lp, ids);
            }
            progress?.Invoke(Interlocked.Increment(ref done));
        });
        var info = new
        {
            generator = "daformer synth",
            seed = o.Seed, width = o.Width, height = o.Height, gap = o.Gap,
            source_images = o.Images, target_train_images = o.Images, target_val_images = o.TargetValImages,
            classes = CsClass.Names,
        };
        ImageIo.SaveAtomic(Path.Combine(root, "synth.json"), s => JsonSerializer.Serialize(s, info, new JsonSerializerOptions { WriteIndented = true }));
        return counts;
    }

    public static LabelMap ToLabelIds(LabelMap trainIds)
    {
        var v = new byte[trainIds.Values.Length];
        for (var i = 0; i < v.Length; i++)
        {
            var t = trainIds.Values[i];
            v[i] = t < CsClass.LabelIdOfTrainId.Length ? CsClass.LabelIdOfTrainId[t] : (byte)0;
        }
        return new LabelMap(trainIds.Width, trainIds.Height, v);
    }
}
