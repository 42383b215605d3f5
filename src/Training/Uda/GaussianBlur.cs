using DaFormer.Model.Runtime;
using static TorchSharp.torch;
using TorchSharp;
using F = TorchSharp.torch.nn.functional;

namespace DaFormer.Training.Uda;

/// Gaussian blur of the DACS strong augmentation (spec §4.4 step 7, kornia GaussianBlur2d with
/// border 'reflect'). kornia convolves with the outer product of two normalised 1-D kernels; applying
/// the two 1-D passes is the same operator at ~1/25 of the cost for 51×51 kernels.
public static class GaussianBlur
{
    /// Kernel size along an axis of `size` pixels: ceil(0.1·size) if odd, else one less (51 for 512).
    public static int KernelSize(int size)
    {
        var c = (int)Math.Ceiling(0.1 * size);
        return c % 2 == 1 ? c : c - 1;
    }

    /// kornia `gaussian(window_size, sigma)`: x = i − size//2 (+0.5 for even sizes), exp(−x²/2σ²), normalised.
    public static Tensor Kernel1d(int size, double sigma, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var x = HeldScalars.Arange(size, ScalarType.Float32, device).Minus(size / 2);
        if (size % 2 == 0) x = x.Plus(0.5);
        var g = (-x.Power(2)).DividedBy(2 * sigma * sigma).exp();
        return (g / g.sum()).MoveToOuterDisposeScope();
    }

    /// Blurs each sample b of (B,C,H,W) with its own σ_b (same σ in x and y) using kernel sizes
    /// (kernelH, kernelW) — one grouped convolution per axis for the whole batch.
    public static Tensor Blur(Tensor x, IReadOnlyList<double> sigmaPerSample, int kernelH, int kernelW)
    {
        if (x.dim() != 4) throw new ArgumentException($"blur input must be (B,C,H,W), got [{string.Join(",", x.shape)}]");
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        if (sigmaPerSample.Count != b) throw new ArgumentException($"{sigmaPerSample.Count} blur sigmas for a batch of {b}");
        if (kernelH % 2 == 0 || kernelW % 2 == 0) throw new ArgumentException($"blur kernel sizes must be odd, got {kernelH}×{kernelW}");
        using var scope = NewDisposeScope();
        // (B·C) depthwise channels, each with its sample's 1-D kernel.
        Tensor Kernels(int size) => stack(sigmaPerSample.Select(s => Kernel1d(size, s, x.device)).ToArray())
            .to(x.dtype).repeat_interleave(c, 0);
        var y = x.reshape(1, b * c, h, w);
        if (kernelW > 1)
        {
            var pw = (kernelW - 1) / 2;
            y = F.conv2d(F.pad(y, [pw, pw, 0, 0], PaddingModes.Reflect), Kernels(kernelW).view(b * c, 1, 1, kernelW), groups: b * c);
        }
        if (kernelH > 1)
        {
            var ph = (kernelH - 1) / 2;
            y = F.conv2d(F.pad(y, [0, 0, ph, ph], PaddingModes.Reflect), Kernels(kernelH).view(b * c, 1, kernelH, 1), groups: b * c);
        }
        return y.reshape(b, c, h, w).MoveToOuterDisposeScope();
    }

    /// Blur with the original's kernel sizes for this image size.
    public static Tensor Blur(Tensor x, IReadOnlyList<double> sigmaPerSample) =>
        Blur(x, sigmaPerSample, KernelSize((int)x.shape[2]), KernelSize((int)x.shape[3]));
}
