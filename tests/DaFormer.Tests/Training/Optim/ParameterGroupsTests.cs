using System.Text.Json;
using DaFormer.Tests.Support;
using DaFormer.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Optim;

public class ParameterGroupsTests
{
    [Theory]
    [InlineData("model.decode_head.fuse_layer.bottleneck.bn.weight", 10.0, 1.0)] // head BN keeps decay
    [InlineData("decode_head.conv_seg.bias", 10.0, 1.0)]
    [InlineData("backbone.patch_embed1.norm.weight", 1.0, 0.0)]
    [InlineData("backbone.block2.1.attn.norm.bias", 1.0, 0.0)]
    [InlineData("backbone.norm4.weight", 1.0, 0.0)]
    [InlineData("backbone.block1.0.attn.q.weight", 1.0, 1.0)]
    [InlineData("backbone.block1.0.mlp.dwconv.dwconv.weight", 1.0, 1.0)]
    [InlineData("backbone.pos_block.0.proj.weight", 1.0, 0.0)]
    [InlineData("decode_head.norm_head.weight", 10.0, 1.0)] // "head" is matched before "norm"
    [InlineData("pos_block_head", 1.0, 0.0)] // "pos_block" is matched before "head"
    public void Classifies_like_mmcv_custom_keys(string name, double lrMult, double decayMult) =>
        Assert.Equal((lrMult, decayMult), ParameterGroups.Classify(name));

    static List<(string, Parameter)> FixtureNamedParameters()
    {
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.ParityDir, "manifest.json"))).RootElement;
        return manifest.GetProperty("state_dict_keys").EnumerateArray()
            .Select(e => e[0].GetString()!)
            .Where(n => !n.Contains("running_") && !n.Contains("num_batches_tracked"))
            .Select(n => (n, new Parameter(zeros(1))))
            .ToList();
    }

    [Fact]
    public void Groups_the_mitb0_daformer_parameters_into_head_backbone_and_no_decay_norms()
    {
        var named = FixtureNamedParameters();
        var groups = ParameterGroups.Build(named);
        Assert.Equal(["backbone", "backbone_no_decay", "head"], groups.Select(g => g.Label).Order());
        var byLabel = groups.ToDictionary(g => g.Label);
        // Independent restatement of spec §4.1 on the real key list.
        Assert.All(byLabel["head"].Parameters, p => Assert.StartsWith("decode_head.", p.Name));
        Assert.All(byLabel["backbone_no_decay"].Parameters, p => Assert.Contains("norm", p.Name));
        Assert.All(byLabel["backbone"].Parameters, p => Assert.DoesNotContain("norm", p.Name));
        Assert.Equal(named.Count(n => n.Item1.StartsWith("decode_head.")), byLabel["head"].Parameters.Count);
        Assert.Equal(named.Count, groups.Sum(g => g.Parameters.Count));
        Assert.Equal(6e-4, byLabel["head"].BaseLr(6e-5), 15);
        Assert.Equal(0.0, byLabel["backbone_no_decay"].WeightDecay(0.01));
    }

    [Fact]
    public void AdamW_applies_per_group_lr_and_decoupled_decay()
    {
        var head = new Parameter(ones(3));
        var norm = new Parameter(ones(3));
        var other = new Parameter(ones(3));
        var groups = ParameterGroups.Build([("decode_head.conv.weight", head), ("backbone.norm1.weight", norm), ("backbone.block1.0.attn.q.weight", other)]);
        using var opt = ParameterGroups.CreateAdamW(groups);
        var lrs = ParameterGroups.SetLearningRates(opt, groups, 6e-5, 20_000, (b, i) => PolySchedule.Poly10Warm(b, i));
        Assert.Equal([3e-4, 3e-5, 3e-5], lrs.Select(x => Math.Round(x, 12)));
        // A zero (but present) gradient makes the Adam part vanish, leaving only p·(1 − lr·wd).
        foreach (var p in new[] { head, norm, other }) p.grad = zeros(3);
        opt.step();
        Assert.Equal(1 - 3e-4 * 0.01, head[0].item<float>(), 6);
        Assert.Equal(1f, norm[0].item<float>());
        Assert.Equal(1 - 3e-5 * 0.01, other[0].item<float>(), 7);
        Assert.True(head[0].item<float>() < other[0].item<float>());
    }

    [Fact]
    public void Groups_a_real_module_by_its_named_parameters()
    {
        var model = nn.Sequential(
            ("backbone", nn.Sequential(("block1", nn.Linear(4, 4)), ("norm1", nn.LayerNorm(4)))),
            ("decode_head", nn.Sequential(("conv", nn.Conv2d(4, 4, 1)), ("bn", nn.BatchNorm2d(4)))));
        var groups = ParameterGroups.Build(model.named_parameters()).ToDictionary(g => g.Label);
        Assert.Equal(["backbone.block1.weight", "backbone.block1.bias"], groups["backbone"].Parameters.Select(p => p.Name));
        Assert.Equal(["backbone.norm1.weight", "backbone.norm1.bias"], groups["backbone_no_decay"].Parameters.Select(p => p.Name));
        Assert.Equal(4, groups["head"].Parameters.Count);   // conv weight/bias + BN weight/bias; BN buffers are not parameters
        using var opt = ParameterGroups.CreateAdamW(ParameterGroups.Build(model.named_parameters()));
        Assert.Equal(3, opt.ParamGroups.Count());
    }

    [Fact]
    public void Frozen_parameters_are_left_out()
    {
        var frozen = new Parameter(ones(2), requires_grad: false);
        var groups = ParameterGroups.Build([("backbone.x", frozen), ("decode_head.y", new Parameter(ones(2)))]);
        Assert.Single(groups);
        Assert.Equal("head", groups[0].Label);
    }
}
