using DaFormer.Training.Randomness;

namespace DaFormer.Training.Data;

/// Source/target pairing (spec §2.6): without RCS the loader walks a shuffled permutation of
/// len(source)·len(target) pair indices (drop_last), index i → (i / len(target), i % len(target));
/// with RCS the target is a uniformly random index. The permutation is a keyed bijection (Feistel
/// network with cycle walking) instead of a materialised array — GTA×Cityscapes has 74 M pairs.
public static class UdaPairing
{
    public static (int Source, int Target) PairOf(long pairIndex, int targetCount) =>
        ((int)(pairIndex / targetCount), (int)(pairIndex % targetCount));

    /// Pair of the `sampleIndex`-th training sample (counted over the whole run, epochs back to back;
    /// each epoch has ⌊N/B⌋·B samples and its own permutation).
    public static (int Source, int Target) Sample(long sampleIndex, int sourceCount, int targetCount, int batchSize, long seed)
    {
        if (sourceCount <= 0 || targetCount <= 0) throw new ArgumentException("source and target data sets must not be empty");
        long n = (long)sourceCount * targetCount;
        long perEpoch = n / batchSize * batchSize;
        if (perEpoch == 0) throw new ArgumentException($"{n} source×target pairs are fewer than one batch of {batchSize}");
        long epoch = sampleIndex / perEpoch, pos = sampleIndex % perEpoch;
        return PairOf(Permute(pos, n, RandomStreams.SampleKey(seed, epoch, SampleStream.EpochPermutation)), targetCount);
    }

    /// A uniformly random target index (RCS mode).
    public static int RandomTarget(int targetCount, Random rng) => rng.Next(targetCount);

    /// A bijection on [0, n) keyed by `key`: 4-round Feistel on the smallest even power of two ≥ n,
    /// cycle-walking values that fall outside [0, n).
    public static long Permute(long index, long n, ulong key)
    {
        if (index < 0 || index >= n) throw new ArgumentOutOfRangeException(nameof(index));
        if (n == 1) return 0;
        var bits = 2;
        while ((1L << bits) < n) bits += 2;
        var half = bits / 2;
        var mask = (1UL << half) - 1;
        var x = (ulong)index;
        do
        {
            ulong l = x >> half, r = x & mask;
            for (var round = 0UL; round < 4; round++)
            {
                var f = RandomStreams.SplitMix(r ^ key ^ (round * 0x9E3779B97F4A7C15UL)) & mask;
                (l, r) = (r, l ^ f);
            }
            x = (l << half) | r;
        } while (x >= (ulong)n);
        return (long)x;
    }
}
