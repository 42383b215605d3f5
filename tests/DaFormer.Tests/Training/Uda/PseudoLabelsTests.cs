using DaFormer.Tests.Support;
using DaFormer.Training.Uda;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

public class PseudoLabelsTests
{
    static Tensor T(string key) => FixtureJson.AlgorithmsTensor(key);
    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Weight_and_labels_match_the_original(int caseIndex)
    {
        var c = FixtureJson.Algorithms.GetProperty("pseudo_label_weight").GetProperty("cases")[caseIndex];
        var pl = PseudoLabels.FromTeacherLogits(T("pl.ema_logits"), c.GetProperty("threshold").GetDouble(),
            c.GetProperty("ignore_top").GetInt32(), c.GetProperty("ignore_bottom").GetInt32());
        Assert.Equal(c.GetProperty("scalar_weight").GetDouble(), pl.ConfidentFraction);
        Assert.True(Same(T(c.GetProperty("tensor").GetString()!), pl.Weight));
        Assert.True(Same(T("pl.pseudo_label"), pl.Label));
        Assert.Equal(ScalarType.Int64, pl.Label.dtype);
    }

    [Fact]
    public void Crop_zeroes_rows_0_to_14_and_392_to_511_of_a_512_crop()
    {
        // Two classes, class 0 certain everywhere: q = 1.
        var logits = zeros(1, 2, 512, 3);
        logits[.., 0] = 100;
        var pl = PseudoLabels.FromTeacherLogits(logits, 0.968, 15, 120);
        Assert.Equal(1.0, pl.ConfidentFraction);
        var rowSums = pl.Weight[0].sum(1).data<float>().ToArray();
        for (var r = 0; r < 512; r++)
            Assert.Equal(r < 15 || r >= 392 ? 0f : 3f, rowSums[r]);
    }

    [Fact]
    public void Confidence_is_one_fraction_for_the_whole_batch()
    {
        // Sample 0 fully confident, sample 1 uniform (prob 0.5 < threshold): q = 1/2 for both samples.
        var logits = zeros(2, 2, 4, 4);
        logits[0, 1] = 50;
        var pl = PseudoLabels.FromTeacherLogits(logits);
        Assert.Equal(0.5, pl.ConfidentFraction);
        Assert.True(Same(full(2, 4, 4, 0.5f), pl.Weight));
        Assert.True(Same(ones(4, 4, dtype: ScalarType.Int64), pl.Label[0]));
    }
}
