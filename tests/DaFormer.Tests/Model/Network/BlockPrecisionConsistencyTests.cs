using DaFormer.Model.Backbones;
using DaFormer.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

/// Each MiT block and its parts in float32 against the same module cast to float64. float64 takes
/// other libtorch/oneDNN kernels (plain `linear`, the math SDPA path, reference convolutions), so a
/// CPU kernel that computes something wrong in float32 on some processor — or a layout it mishandles —
/// shows up here as a relL2 far above rounding, per component, without needing the golden fixture.
/// Shapes are those of the mit_b0 parity fixture (batch 2, 128×160 input).
public class BlockPrecisionConsistencyTests
{
    public static TheoryData<long, long, long, long, long> Stages => new()
    {
        // dim, heads, sr ratio, h, w
        { 32, 1, 8, 32, 40 },
        { 64, 2, 4, 16, 20 },
        { 160, 5, 2, 8, 10 },
        { 256, 8, 1, 4, 5 },
    };

    [Theory]
    [MemberData(nameof(Stages))]
    public void Attention_in_float32_matches_float64(long dim, long heads, long sr, long h, long w)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var attn = new EfficientAttention(dim, heads, sr);
        var x = randn(2, h * w, dim);
        var y = attn.Forward(x, h, w);
        attn.to(ScalarType.Float64);
        var expected = attn.Forward(x.to(ScalarType.Float64), h, w);
        TensorAssert.ForwardClose(y, expected, $"attention dim {dim} heads {heads}");
    }

    [Theory]
    [MemberData(nameof(Stages))]
    public void MixFfn_in_float32_matches_float64(long dim, long heads, long sr, long h, long w)
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var mlp = new MixFfn(dim, dim * 4);
        var x = randn(2, h * w, dim);
        var y = mlp.Forward(x, h, w);
        mlp.to(ScalarType.Float64);
        var expected = mlp.Forward(x.to(ScalarType.Float64), h, w);
        TensorAssert.ForwardClose(y, expected, $"MixFFN dim {dim} (heads {heads}, sr {sr})");
    }

    [Theory]
    [MemberData(nameof(Stages))]
    public void Block_in_float32_matches_float64(long dim, long heads, long sr, long h, long w)
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        var block = new MitBlock(dim, heads, sr, 0.0);
        block.eval();
        var x = randn(2, h * w, dim);
        var y = block.Forward(x, h, w);
        block.to(ScalarType.Float64);
        var expected = block.Forward(x.to(ScalarType.Float64), h, w);
        TensorAssert.ForwardClose(y, expected, $"block dim {dim} heads {heads} sr {sr}");
    }

    /// The fused scaled-dot-product attention against an explicit float64 softmax(q·kᵀ/√d)·v, with
    /// q/k/v given as the strided per-head views EfficientAttention passes.
    [Theory]
    [InlineData(2, 320, 20, 32)]
    [InlineData(1, 1280, 20, 32)]
    [InlineData(5, 80, 20, 32)]
    public void Sdpa_on_strided_head_views_matches_explicit_softmax(long heads, long n, long nKv, long d)
    {
        using var scope = NewDisposeScope();
        manual_seed(14);
        var qFlat = randn(2, n, heads * d);
        var kvFlat = randn(2, nKv, 2 * heads * d);
        var q = qFlat.view(2, n, heads, d).permute(0, 2, 1, 3);
        var kv5 = kvFlat.view(2, nKv, 2, heads, d).permute(2, 0, 3, 1, 4);
        var k = kv5[0];
        var v = kv5[1];
        var o = nn.functional.scaled_dot_product_attention(q, k, v);

        var q64 = q.to(ScalarType.Float64); var k64 = k.to(ScalarType.Float64); var v64 = v.to(ScalarType.Float64);
        var scores = matmul(q64, k64.transpose(-2, -1)) / Math.Sqrt(d);
        var expected = matmul(scores.softmax(-1), v64);
        TensorAssert.ForwardClose(o, expected, $"SDPA heads {heads} n {n} n' {nKv}");
    }
}
