using DaFormer.Model.Backbones;
using DaFormer.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

/// The token ↔ map views of the MiT blocks and the decoder MLPs must stay channels-last for a batch
/// of ONE (whole-image inference, evaluation). libtorch guesses a tensor's layout from its strides
/// (`suggest_memory_format`), and a (1, C, H, W) map whose batch stride is not C·H·W is taken for
/// NCHW: convolutions and bilinear resizes then read it strided (slow) and write NCHW output.
/// Observable without timing: the depthwise conv of Mix-FFN then hands back tokens that are not
/// contiguous, and the decoder's bilinear alignment returns an NCHW map.
public class BatchOfOneLayoutTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void MixFfn_depthwise_conv_returns_contiguous_tokens(int batch)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var dw = new MixFfn.DwConv(16);
        var tokens = randn(batch, 8 * 12, 16);
        var y = dw.Forward(tokens, 8, 12);
        Assert.Equal(new long[] { batch, 96, 16 }, y.shape);
        Assert.True(y.is_contiguous(), $"batch {batch}: tokens strides ({string.Join(",", y.stride())})");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Mlp_embedding_and_its_bilinear_alignment_are_channels_last(int batch)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var embed = new MlpEmbedding(8, 16);
        // A channels-last stage map, as MixTransformer returns it.
        var map = randn(batch, 4, 6, 8).permute(0, 3, 1, 2);
        var e = embed.forward(map);
        AssertChannelsLast(e, "embedding");
        var resized = Resize.Bilinear(e, 16, 24);
        AssertChannelsLast(resized, "bilinear alignment");
    }

    /// Channels-last strides of a (B, C, H, W) tensor: (C·H·W, 1, W·C, C).
    static void AssertChannelsLast(Tensor t, string what)
    {
        long c = t.shape[1], h = t.shape[2], w = t.shape[3];
        Assert.True(t.stride().SequenceEqual(new[] { c * h * w, 1, w * c, c }),
            $"{what} of batch {t.shape[0]}: strides ({string.Join(",", t.stride())}), expected ({c * h * w},1,{w * c},{c})");
    }
}
