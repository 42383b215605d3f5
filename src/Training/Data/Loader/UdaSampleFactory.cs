using DaFormer.Training.Randomness;
using DaFormer.Training.Data.Pipeline;

namespace DaFormer.Training.Data.Loader;

/// Produces the k-th training pair of a run as a pure function of (spec, k): the randomness of
/// sample k comes from `RandomStreams.ForSample(seed, k, stream)`, so any worker may produce it and the result
/// is the same for any number of workers.
public sealed class UdaSampleFactory
{
    readonly UdaLoaderSpec spec;
    readonly float[][] sourceNorm, targetNorm;

    public UdaSampleFactory(UdaLoaderSpec spec)
    {
        this.spec = spec;
        if (spec.BatchSize <= 0) throw new ArgumentException($"batch size must be positive, got {spec.BatchSize}");
        if (spec.Source.Samples.Count == 0) throw new Model.DaFormerError($"source data set '{spec.Source.Name}' at {spec.Source.Root} has no samples.");
        if (spec.WithTarget && spec.Target.Samples.Count == 0) throw new Model.DaFormerError($"target data set '{spec.Target.Name}' at {spec.Target.Root} has no samples.");
        sourceNorm = spec.SourcePipeline.Norm.Table();
        targetNorm = spec.TargetPipeline.Norm.Table();
    }

    public UdaSample Produce(long k)
    {
        var srcRng = RandomStreams.ForSample(spec.Seed, k, SampleStream.Source);
        var tgtRng = RandomStreams.ForSample(spec.Seed, k, SampleStream.Target);
        int srcIdx, tgtIdx;
        int? cls = null;
        AugmentedSample src;
        if (spec.Rcs is { } rcs)
        {
            var c = rcs.SampleClass(srcRng);
            cls = c;
            srcIdx = rcs.SampleSourceIndex(c, srcRng);
            var decoded = spec.Read(spec.Source.Samples[srcIdx], true);
            src = rcs.WithCropRetries(c, () => TrainPipeline.Run(decoded.Image, decoded.Label, spec.SourcePipeline, srcRng, sourceNorm), s => s.CountOf(c));
            tgtIdx = spec.WithTarget ? UdaPairing.RandomTarget(spec.Target.Samples.Count, tgtRng) : -1;
        }
        else
        {
            (srcIdx, tgtIdx) = UdaPairing.Sample(k, spec.Source.Samples.Count, spec.WithTarget ? spec.Target.Samples.Count : 1, spec.BatchSize, spec.Seed);
            var decoded = spec.Read(spec.Source.Samples[srcIdx], true);
            src = TrainPipeline.Run(decoded.Image, decoded.Label, spec.SourcePipeline, srcRng, sourceNorm);
        }
        if (!spec.WithTarget) return new UdaSample(k, srcIdx, -1, cls, src, null);
        var needTargetLabel = spec.TargetLabels || spec.TargetPipeline.CatMaxRatio < 1.0;
        var t = spec.Read(spec.Target.Samples[tgtIdx], needTargetLabel);
        var tgt = TrainPipeline.Run(t.Image, t.Label, spec.TargetPipeline, tgtRng, targetNorm);
        if (!spec.TargetLabels && tgt.Label is not null) tgt = tgt with { Label = null };
        return new UdaSample(k, srcIdx, tgtIdx, cls, src, tgt);
    }
}
