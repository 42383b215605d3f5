using DaFormer.Tests.Support;
using DaFormer.Training.Uda;
using FsCheck;
using FsCheck.Fluent;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

public class ClassMixTests
{
    static Tensor T(string key) => FixtureJson.AlgorithmsTensor(key);
    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void Class_mask_and_mixed_image_and_label_match_the_original()
    {
        var label = T("mix.label");             // stack(source label, target label), (2,1,12,16)
        var classes = T("mix.classes").data<long>().ToArray();
        var mask = ClassMix.ClassMask(label[0], classes);
        Assert.True(Same(T("mix.class_mask"), mask));

        var imgs = T("mix.mix_src_tgt_img");
        Assert.True(Same(T("mix.mixed_img"), ClassMix.Mix(mask, imgs[0], imgs[1]).unsqueeze(0)));
        Assert.True(Same(T("mix.mixed_lbl"), ClassMix.Mix(mask, label[0], label[1]).unsqueeze(0)));
    }

    [Fact]
    public void Mixed_batch_takes_source_label_and_weight_one_inside_the_mask_and_pseudo_values_outside()
    {
        var label = T("mix.label");
        var classes = T("mix.classes").data<long>().ToArray();
        var masks = ClassMix.ClassMasks(label[..1], [classes]);   // (1,1,12,16)
        var imgs = T("mix.mix_src_tgt_img");
        var pseudoWeight = full(1, 12, 16, 0.25f);
        var (img, lbl, w) = ClassMix.MixBatch(masks, imgs[..1], imgs[1..], label[..1], label[1], pseudoWeight);
        Assert.True(Same(T("mix.mixed_img"), img));
        Assert.True(Same(T("mix.mixed_lbl"), lbl));
        Assert.Equal(ScalarType.Int64, lbl.dtype);
        // Independent per-pixel restatement of w_mix = M·1 + (1 − M)·W_PL.
        var m = masks.data<long>().ToArray();
        var wv = w.data<float>().ToArray();
        for (var i = 0; i < m.Length; i++) Assert.Equal(m[i] == 1 ? 1f : 0.25f, wv[i]);
    }

    [Fact]
    public void Source_classes_are_the_sorted_union_over_the_batch_including_255()
    {
        var labels = tensor(new long[] { 3, 255, 3, 0, 7, 7, 0, 18 }).reshape(2, 1, 2, 2);
        Assert.Equal([0L, 3, 7, 18, 255], ClassMix.SourceClasses(labels));
        Assert.Equal([0L, 1, 2, 3, 4, 5], ClassMix.SourceClasses(T("mix.label")));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 3)]
    [InlineData(6, 3)]
    [InlineData(7, 4)]
    public void Half_the_classes_rounded_up_are_chosen(int n, int k)
    {
        Assert.Equal(k, ClassMix.ChosenCount(n));
        var chosen = ClassMix.ChooseClasses(Enumerable.Range(10, n).Select(x => (long)x).ToArray(), new Random(n));
        Assert.Equal(k, chosen.Distinct().Count());
        Assert.All(chosen, c => Assert.InRange(c, 10, 10 + n - 1));
    }

    [Fact]
    public void Choice_is_uniform_over_classes()
    {
        var rng = new Random(0);
        var counts = new int[4];
        const int draws = 8000;
        for (var d = 0; d < draws; d++)
            foreach (var c in ClassMix.ChooseClasses([0, 1, 2, 3], rng)) counts[c]++;
        // Each class is chosen with probability 1/2; 4 sigma ≈ 180 of 4000.
        Assert.All(counts, c => Assert.InRange(c, 3800, 4200));
    }

    [Fact]
    public void Each_sample_gets_its_own_draw_from_the_batch_union()
    {
        var labels = arange(40, dtype: ScalarType.Int64).reshape(2, 1, 4, 5);
        var choice = ClassMix.ChooseClassesPerSample(labels, new Random(3));
        Assert.Equal(2, choice.Length);
        Assert.All(choice, c => Assert.Equal(20, c.Length));
        Assert.NotEqual(choice[0].Order(), choice[1].Order());
        // Sample 0 may pick classes that only occur in sample 1 (the union is shared).
        Assert.Contains(choice[0], c => c >= 20);
    }

    [FsCheck.Xunit.Property(MaxTest = 25)]
    public Property All_ones_mask_returns_the_source_and_all_zeros_the_target() =>
        Prop.ForAll(Arb.From(Gen.Choose(1, 6)), Arb.From(Gen.Choose(1, 6)), Arb.From(Gen.Choose(0, 10000)), (h, w, seed) =>
        {
            var g = new Generator((ulong)seed);
            var src = randn(2, 3, h, w, generator: g);
            var tgt = randn(2, 3, h, w, generator: g);
            var srcLbl = randint(0, 19, [2, 1, h, w], generator: g);
            var pl = randint(0, 19, [2, h, w], generator: g);
            var pw = rand(2, h, w, generator: g);
            var allOnes = ones(2, 1, h, w, dtype: ScalarType.Int64);
            var allZeros = zeros(2, 1, h, w, dtype: ScalarType.Int64);
            var (i1, l1, w1) = ClassMix.MixBatch(allOnes, src, tgt, srcLbl, pl, pw);
            var (i0, l0, w0) = ClassMix.MixBatch(allZeros, src, tgt, srcLbl, pl, pw);
            return Same(i1, src) && Same(l1, srcLbl) && Same(w1, ones_like(pw))
                && Same(i0, tgt) && Same(l0, pl.unsqueeze(1)) && Same(w0, pw);
        });
}
