using TorchSharp;

namespace DaFormer.Training.Randomness;

/// What an iteration stream is for. Each consumer owns one purpose, so two consumers never share
/// a stream by accident, and adding a consumer never shifts what another one draws.
public enum Purpose : ulong
{
    /// DACS: the colour-jitter / blur switches of the mixed batch and their per-sample factors.
    DacsSwitches = 1,
    /// DACS: the ClassMix class choice per sample.
    ClassMix = 2,
    ColorJitter = 3,
    Blur = 4,
    /// Reseeds the global torch generator (Dropout, DropPath) at the start of every iteration.
    TorchOps = 5,
    /// MIC: the block-mask grid of the masked target (`BlockMaskGenerator.generate_mask`).
    MicMask = 6,
    /// MIC: the fresh strong augmentation of the target before masking (`separate…aug` modes).
    MicAugment = 7,
    /// HRDA: the detail-crop boxes of the student's training forwards (`get_crop_bbox`).
    HrdaCrop = 8,
    Init = 20,
}

/// What a per-sample stream is for (the data loader and the synthetic generator).
public enum SampleStream
{
    /// The permutation of source×target pairs of one epoch (keyed by the epoch, not the sample).
    EpochPermutation = 0x5EED,
    /// Source image choice (RCS), crop and flip of sample k.
    Source = 1,
    /// Target image choice (RCS mode), crop and flip of sample k.
    Target = 2,
    /// The synthetic generator's scene of image k; `+ (int)SynthDomain` selects the domain.
    Synthetic = 11,
}

/// Counter-based randomness, the one source of every random decision of a run: a generator is
/// seeded by (run seed, sample index or iteration, purpose). Nothing random carries state from one
/// iteration or sample to the next, so a resumed run draws exactly what an uninterrupted run would
/// have drawn, and the loader produces the same batches for any number of workers.
///
/// Two key derivations exist because each was fixed when its first consumer landed; changing either
/// would change every recorded run and data set, so both are kept, and only here.
public static class RandomStreams
{
    /// SplitMix64's finaliser (Steele et al.), with its increment.
    public static ulong SplitMix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// Key of a per-sample stream: chained SplitMix over (seed, index, stream).
    public static ulong SampleKey(long seed, long index, SampleStream stream) => SampleKey(seed, index, (int)stream);

    public static ulong SampleKey(long seed, long index, int stream) =>
        SplitMix(SplitMix(SplitMix((ulong)seed) ^ (ulong)index) ^ (ulong)stream);

    /// The generator of sample `index` for `stream`.
    public static Random ForSample(long seed, long index, SampleStream stream) => ForSample(seed, index, (int)stream);

    public static Random ForSample(long seed, long index, int stream) => new((int)(SampleKey(seed, index, stream) & 0x7FFFFFFF));

    /// Key of an iteration stream: the SplitMix64 finaliser over the multiplied-and-xored inputs.
    public static ulong IterationKey(long runSeed, long iteration, Purpose purpose)
    {
        var z = unchecked((ulong)runSeed * 0x9E3779B97F4A7C15UL ^ (ulong)iteration * 0xBF58476D1CE4E5B9UL ^ (ulong)purpose * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// The streams of one training iteration; the trainer creates it and passes it into the step.
    public static IterationStreams ForIteration(long runSeed, long iteration) => new(runSeed, iteration);
}

/// The random streams of one training iteration (run seed, iteration): one independent generator
/// per <see cref="Purpose"/>. Each call returns a fresh generator at the start of its stream.
public sealed record IterationStreams(long RunSeed, long Iteration)
{
    /// A .NET generator for host-side draws (switches, class choices, crop boxes).
    public Random Random(Purpose purpose) =>
        new(unchecked((int)(RandomStreams.IterationKey(RunSeed, Iteration, purpose) & 0x7FFFFFFF)));

    /// A 63-bit seed for a torch generator (or `manual_seed`).
    public long TorchSeed(Purpose purpose) => (long)(RandomStreams.IterationKey(RunSeed, Iteration, purpose) & 0x7FFFFFFFFFFFFFFFUL);

    /// A CPU torch generator for tensor draws (e.g. the MIC mask grid via `torch.rand`).
    public torch.Generator Torch(Purpose purpose) => new((ulong)TorchSeed(purpose));
}
