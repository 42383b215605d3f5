using DaFormer.Training.Data;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DaFormer.Tests.Training.Data;

public class UdaPairingTests
{
    [Fact]
    public void Pair_index_maps_to_source_div_and_target_mod()
    {
        Assert.Equal((0, 0), UdaPairing.PairOf(0, 3));
        Assert.Equal((0, 2), UdaPairing.PairOf(2, 3));
        Assert.Equal((3, 1), UdaPairing.PairOf(10, 3));
    }

    [Property(MaxTest = 60)]
    public Property Permute_is_a_bijection() =>
        Prop.ForAll(Arb.From(Gen.Choose(1, 3000)), Arb.From(Gen.Choose(0, 1 << 30)), (n, key) =>
        {
            var seen = new bool[n];
            for (var i = 0; i < n; i++)
            {
                var p = UdaPairing.Permute(i, n, (ulong)key);
                if (p < 0 || p >= n || seen[p]) return false;
                seen[p] = true;
            }
            return true;
        });

    [Fact]
    public void An_epoch_visits_every_pair_once_and_the_next_epoch_reshuffles()
    {
        const int s = 5, t = 4, b = 2; // 20 pairs, 10 batches per epoch
        var epoch0 = Enumerable.Range(0, 20).Select(k => UdaPairing.Sample(k, s, t, b, seed: 3)).ToList();
        var epoch1 = Enumerable.Range(20, 20).Select(k => UdaPairing.Sample(k, s, t, b, seed: 3)).ToList();
        Assert.Equal(20, epoch0.Distinct().Count());
        Assert.Equal(20, epoch1.Distinct().Count());
        Assert.NotEqual(epoch0, epoch1);
        Assert.NotEqual(epoch0, Enumerable.Range(0, 20).Select(k => UdaPairing.Sample(k, s, t, b, seed: 4)).ToList());
    }

    [Fact]
    public void Drop_last_shortens_the_epoch_to_whole_batches()
    {
        // 3×3 = 9 pairs, batch 4 → 8 samples per epoch; sample 8 starts epoch 1.
        var epoch0 = Enumerable.Range(0, 8).Select(k => UdaPairing.Sample(k, 3, 3, 4, 0)).ToList();
        Assert.Equal(8, epoch0.Distinct().Count());
        var epoch1 = Enumerable.Range(8, 8).Select(k => UdaPairing.Sample(k, 3, 3, 4, 0)).ToList();
        Assert.Equal(8, epoch1.Distinct().Count());
    }
}
