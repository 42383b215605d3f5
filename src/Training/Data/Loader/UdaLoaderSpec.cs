using DaFormer.Training.Data.Pipeline;

namespace DaFormer.Training.Data.Loader;

/// Everything the UDA loader needs. `Rcs` null = plain shuffled pairing (spec §2.6).
/// `TargetLabels` also crops/returns target labels (evaluation of crops, target-only oracle).
/// `WithTarget` false skips the target side entirely (supervised runs: source-only, or the
/// target-only oracle with the target training set passed as `Source`).
public sealed record UdaLoaderSpec(
    SegDataset Source,
    SegDataset Target,
    PipelineSpec SourcePipeline,
    PipelineSpec TargetPipeline,
    int BatchSize,
    long Seed,
    int Workers = 2,
    int PrefetchBatches = 2,
    RcsSampler? Rcs = null,
    bool TargetLabels = false,
    SampleReader? Reader = null,
    bool WithTarget = true)
{
    /// The configured reader, else reading from disk with the label values checked against the
    /// source's class list (source and target share it); failures name the sample's files.
    public SampleReader Read
    {
        get
        {
            var read = Reader ?? SampleReaders.For(Source);
            return (files, withLabel) => SampleReaders.Named(read, files, withLabel);
        }
    }
}

/// One produced training pair, before batching.
public sealed record UdaSample(long Index, int SourceIndex, int TargetIndex, int? RcsClass, AugmentedSample Source, AugmentedSample? Target);
