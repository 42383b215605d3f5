using DaFormer.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

/// Layout.Contiguous must be `contiguous()` exactly — same shape, NCHW strides, same bits — whatever
/// path it takes (the per-image transpose for channels-last maps outside autograd, or libtorch's copy).
public class LayoutTests
{
    [Theory]
    [InlineData(1, ScalarType.Float32)]
    [InlineData(2, ScalarType.Float32)]
    [InlineData(1, ScalarType.BFloat16)]
    [InlineData(3, ScalarType.BFloat16)]
    public void Contiguous_of_a_channels_last_map_is_the_NCHW_copy(int batch, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var map = randn(batch, 70, 90, 64).to(dtype).permute(0, 3, 1, 2);   // (B, 64, 70, 90), channels-last
        var y = Layout.Contiguous(map);
        Assert.True(y.is_contiguous());
        Assert.Equal(map.shape, y.shape);
        Assert.True(y.equal(map.contiguous()).all().item<bool>());
    }

    [Fact]
    public void Contiguous_keeps_autograd_and_other_layouts()
    {
        using var scope = NewDisposeScope();
        var leaf = randn(2, 8, 9, 16, requires_grad: true);
        var map = leaf.permute(0, 3, 1, 2);
        var y = Layout.Contiguous(map);
        Assert.True(y.is_contiguous() && y.requires_grad);
        y.sum().backward();
        Assert.True(leaf.grad!.equal(ones_like(leaf)).all().item<bool>());
        var nchw = randn(1, 4, 5, 6);
        Assert.True(Layout.Contiguous(nchw).equal(nchw).all().item<bool>());
        var sliced = randn(1, 4, 5, 12)[.., .., .., ..6];                  // neither layout
        Assert.True(Layout.Contiguous(sliced).is_contiguous());
    }

    [Theory]
    [InlineData(1, ScalarType.BFloat16)]
    [InlineData(2, ScalarType.BFloat16)]
    public void ChannelsLastInInference_is_the_same_map_in_channels_last_strides(int batch, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var map = randn(batch, 64, 70, 90).to(dtype);
        var y = Layout.ChannelsLastInInference(map);
        Assert.Equal(map.shape, y.shape);
        Assert.Equal(new long[] { 64 * 70 * 90, 1, 90 * 64, 64 }, y.stride());
        Assert.True(y.equal(map).all().item<bool>());
    }

    [Fact]
    public void ChannelsLast_copies_any_layout_into_channels_last_strides_with_the_same_values()
    {
        using var scope = NewDisposeScope();
        var nchw = randn(2, 19, 12, 20);
        var sliced = randn(2, 19, 12, 40)[.., .., .., ..20];   // neither NCHW-contiguous nor channels-last
        foreach (var map in new[] { nchw, sliced })
        {
            var y = Layout.ChannelsLast(map);
            Assert.Equal(map.shape, y.shape);
            Assert.Equal(new long[] { 19 * 12 * 20, 1, 20 * 19, 19 }, y.stride());
            Assert.True(y.equal(map).all().item<bool>());
        }
    }

    [Fact]
    public void ChannelsLastInInference_leaves_autograd_and_float32_maps_alone()
    {
        using var scope = NewDisposeScope();
        var map = randn(2, 8, 9, 16, dtype: ScalarType.BFloat16, requires_grad: true);
        Assert.Equal(map.stride(), Layout.ChannelsLastInInference(map).stride());
        using var _ = no_grad();
        var fp32 = randn(2, 8, 9, 16);
        Assert.Equal(fp32.stride(), Layout.ChannelsLastInInference(fp32).stride());
    }
}
