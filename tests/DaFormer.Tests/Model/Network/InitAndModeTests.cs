using DaFormer.Model;
using DaFormer.Model.Backbones;
using DaFormer.Model.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

public class InitAndModeTests
{
    [Fact]
    public void Trunc_normal_with_timm_bounds_is_finite_and_has_the_requested_std()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var w = empty(1_000_000);
        Init.TruncNormal(w, std: 0.02);
        Assert.True(w.isfinite().all().item<bool>());
        Assert.InRange(w.std().item<float>(), 0.0198, 0.0202);
        Assert.InRange(w.mean().item<float>(), -1e-4, 1e-4);
        // bounds ±2 are 100 σ away: nothing is truncated, the tails reach ~5 σ
        Assert.InRange(w.abs().max().item<float>(), 0.08, 0.2);
    }

    [Fact]
    public void Fresh_models_have_finite_weights_and_mit_linear_init()
    {
        using var scope = NewDisposeScope();
        for (var i = 0; i < 1; i++)
        {
            using var m = Architectures.Build(new SegmentorSpec(Encoder: "mit_b0", Head: "daformer_conv1", Channels: 16));
            Assert.All(m.state_dict().Values, t => Assert.True(t.isfinite().all().item<bool>()));
            var mit = (MixTransformer)m.backbone;
            Assert.Equal(0f, mit.block3[1].attn.kv.bias!.abs().max().item<float>());
            Assert.InRange(mit.block3[1].mlp.fc1.weight!.std().item<float>(), 0.018, 0.022);
            Assert.Equal(1e-6, mit.norm2.eps);
            Assert.Equal(1e-6, mit.block2[0].norm1.eps);
            Assert.Equal(1e-5, mit.patch_embed2.norm.eps);
            Assert.Equal(1e-5, mit.block1[0].attn.norm!.eps);
        }
    }

    [Fact]
    public void Stochastic_depth_rates_rise_linearly_to_the_maximum()
    {
        var b5 = MitVariant.Find("mit_b5")!.DropPathRates(0.1);
        Assert.Equal(52, b5.Length);
        Assert.Equal(0.0, b5[0]);
        Assert.Equal(0.1, b5[^1], 12);
        Assert.Equal(0.1 * 7 / 51, b5[7], 12);
        using var mit = new MixTransformer(MitVariant.Find("mit_b0")!);
        Assert.Equal(0.1 * 5 / 7, mit.block3[1].drop_path.Probability, 12);
    }

    [Fact]
    public void Drop_path_keeps_or_drops_whole_samples_and_rescales()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var dp = new DropPath(0.5);
        dp.train();
        var y = dp.forward(ones(64, 3, 4));
        var perSample = y.amax([1, 2]);
        var mins = y.amin([1, 2]);
        Assert.True(perSample.eq(mins).all().item<bool>());                  // constant within a sample
        Assert.True((perSample.eq(0) | perSample.eq(2)).all().item<bool>()); // 0 or 1/keep
        var kept = perSample.eq(2).sum().item<long>();
        Assert.InRange(kept, 16, 48);
        dp.eval();
        Assert.True(dp.forward(ones(4, 3)).eq(1).all().item<bool>());
    }

    [Fact]
    public void Teacher_mode_keeps_batch_norm_training_and_turns_stochastic_layers_off()
    {
        using var m = Architectures.Build(new SegmentorSpec(Encoder: "mit_b0", Head: "daformer_sepaspp", Channels: 16));
        m.TeacherMode();
        var modules = m.modules().ToList();
        Assert.All(modules.OfType<BatchNorm>(), bn => Assert.True(bn.training));
        Assert.All(modules.OfType<DropPath>(), d => Assert.False(d.training));
        Assert.All(modules.OfType<Dropout2d>(), d => Assert.False(d.training));
        Assert.NotEmpty(modules.OfType<Dropout2d>());
        m.SetStochasticLayersEnabled(true);
        Assert.All(modules.OfType<DropPath>(), d => Assert.True(d.training));
        m.eval();
        Assert.All(modules.OfType<BatchNorm>(), bn => Assert.False(bn.training));
    }

    [Fact]
    public void Teacher_mode_forward_is_deterministic_and_uses_batch_statistics()
    {
        using var scope = NewDisposeScope();
        using var m = Architectures.Build(new SegmentorSpec(Encoder: "mit_b0", Head: "daformer_conv1", Channels: 16));
        using var _ = no_grad();
        var img = randn(2, 3, 32, 32);
        m.TeacherMode();
        var a = m.forward(img);
        var b = m.forward(img);
        Assert.True(a.allclose(b, 0, 0)); // no dropout / drop path
        m.eval();
        var c = m.forward(img);
        Assert.False(a.allclose(c, 1e-3, 1e-3)); // eval BN (running stats) differs from batch stats
    }
}
