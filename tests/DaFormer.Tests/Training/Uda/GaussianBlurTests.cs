using DaFormer.Training.Uda;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

public class GaussianBlurTests
{
    [Theory]
    [InlineData(512, 51)]
    [InlineData(1024, 103)]
    [InlineData(256, 25)]
    [InlineData(513, 51)]
    [InlineData(128, 13)]
    public void Kernel_sizes_match_spec_9_5(int size, int k) => Assert.Equal(k, GaussianBlur.KernelSize(size));

    static int Reflect(int i, int n) => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;

    /// Direct 2-D convolution with the outer-product kernel, reflect border, in double.
    static double[,] Reference(float[,] img, int kh, int kw, double sigma)
    {
        double[] K(int k)
        {
            var g = Enumerable.Range(0, k).Select(i => Math.Exp(-Math.Pow(i - k / 2, 2) / (2 * sigma * sigma))).ToArray();
            var s = g.Sum();
            return g.Select(v => v / s).ToArray();
        }
        var (ky, kx) = (K(kh), K(kw));
        int h = img.GetLength(0), w = img.GetLength(1);
        var res = new double[h, w];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                double acc = 0;
                for (var i = 0; i < kh; i++)
                    for (var j = 0; j < kw; j++)
                        acc += ky[i] * kx[j] * img[Reflect(y + i - kh / 2, h), Reflect(x + j - kw / 2, w)];
                res[y, x] = acc;
            }
        return res;
    }

    [Fact]
    public void Blur_equals_a_direct_2d_convolution_with_reflect_border_per_sample_sigma()
    {
        var g = new Generator(7);
        var x = randn(2, 3, 9, 11, generator: g);
        double[] sigmas = [0.4, 1.1];
        var y = GaussianBlur.Blur(x, sigmas, 5, 7);
        Assert.Equal(x.shape, y.shape);
        for (var b = 0; b < 2; b++)
            for (var c = 0; c < 3; c++)
            {
                var plane = x[b, c];
                var img = new float[9, 11];
                var v = plane.data<float>().ToArray();
                for (var i = 0; i < 9; i++) for (var j = 0; j < 11; j++) img[i, j] = v[i * 11 + j];
                var expected = Reference(img, 5, 7, sigmas[b]);
                var got = y[b, c].data<float>().ToArray();
                for (var i = 0; i < 9; i++)
                    for (var j = 0; j < 11; j++)
                        Assert.True(Math.Abs(expected[i, j] - got[i * 11 + j]) < 1e-5, $"b{b} c{c} ({i},{j}): {expected[i, j]} vs {got[i * 11 + j]}");
            }
    }

    [Fact]
    public void Default_kernel_size_follows_the_image_size_and_keeps_constants()
    {
        // 40×70 → kernels 3×7; a constant image stays constant (normalised kernel, reflect border).
        var x = full(1, 3, 40, 70, 2.5f);
        var y = GaussianBlur.Blur(x, [1.0]);
        Assert.True(y.allclose(x, 1e-5, 1e-5));
        Assert.Equal(1.0, GaussianBlur.Kernel1d(51, 0.7).sum().item<float>(), 5);
    }

    [Fact]
    public void Even_kernels_are_rejected() =>
        Assert.Throws<ArgumentException>(() => GaussianBlur.Blur(zeros(1, 1, 8, 8), [1.0], 4, 3));
}
