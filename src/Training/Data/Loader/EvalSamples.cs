using DaFormer.Training.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Training.Data.Loader;

/// One evaluation sample: the test-pipeline image (1,3,h,w) and the full-resolution ground truth
/// (read from disk at original size, as the original evaluator does — spec §2.5).
public sealed class EvalSample : IDisposable
{
    public required int Index { get; init; }
    public required SampleFiles Files { get; init; }
    public required Tensor Image { get; init; }
    public required LabelMap GroundTruth { get; init; }
    public void Dispose() => Image.Dispose();
}

/// Test-pipeline iteration over a labelled data set, batch 1, decoding the next sample in the
/// background while the current one is evaluated.
public static class EvalSamples
{
    public static IEnumerable<EvalSample> Enumerate(SegDataset data, int scaleA = 1024, int scaleB = 512,
        Normalization? norm = null, SampleReader? reader = null)
    {
        var raw = reader ?? SampleReaders.For(data);
        SampleReader read = (files, withLabel) => SampleReaders.Named(raw, files, withLabel);
        var table = norm ?? Normalization.ImageNet;
        (float[] Img, int H, int W, LabelMap Gt) Prepare(int i)
        {
            var d = read(data.Samples[i], true);
            var (img, h, w) = TestPipeline.Run(d.Image, scaleA, scaleB, table);
            return (img, h, w, d.Label!);
        }
        Task<(float[] Img, int H, int W, LabelMap Gt)>? next = data.Samples.Count > 0 ? Task.Run(() => Prepare(0)) : null;
        for (var i = 0; i < data.Samples.Count; i++)
        {
            var cur = next!.GetAwaiter().GetResult();
            var j = i + 1;
            next = j < data.Samples.Count ? Task.Run(() => Prepare(j)) : null;
            yield return new EvalSample
            {
                Index = i,
                Files = data.Samples[i],
                Image = torch.tensor(cur.Img, new long[] { 1, 3, cur.H, cur.W }),
                GroundTruth = cur.Gt,
            };
        }
    }
}
