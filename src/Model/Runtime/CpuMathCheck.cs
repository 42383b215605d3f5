using static TorchSharp.torch;

namespace DaFormer.Model.Runtime;

/// One float32 operation of our networks compared with the same operation in float64.
public sealed record CpuMathResult(string Operation, double RelL2, double Tolerance)
{
    public bool Passed => RelL2 < Tolerance;
}

/// Checks that the math libraries libtorch runs on this CPU compute our networks' float32 GEMMs and
/// convolutions correctly: each is compared with float64 on the same inputs. Kernel choice depends
/// on the CPU (oneDNN's brgconv_1x1 gave wrong channels on the AMD EPYC of 2026-12-01; MKL takes
/// other paths on AMD CPUs, with or without ./daformer's MKL library), so this runs where the user
/// runs: `daformer info --check-numerics`.
public static class CpuMathCheck
{
    /// float32 with K ≤ 2304 accumulates to relL2 ≈ 1e-7; a wrong kernel is off by ≥ 1e-3.
    const double Tolerance = 1e-5;

    public static IReadOnlyList<CpuMathResult> Run()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(20261201UL);
        Tensor R(params long[] shape) => randn(shape, generator: g);
        var cases = new (string Name, Tensor[] Inputs, Func<Tensor[], Tensor> Op)[]
        {
            ("linear 4096x512 -> 2048 (MiT-b5 stage 4 Mix-FFN fc1)", [R(4096, 512), R(2048, 512), R(2048)], t => nn.functional.linear(t[0], t[1], t[2])),
            ("linear 2048x160 -> 640 (MiT-b0 stage 3 fc1)", [R(2048, 160), R(640, 160), R(640)], t => nn.functional.linear(t[0], t[1], t[2])),
            ("linear 2048x256 -> 1024 (MiT-b0 stage 4 fc1)", [R(2048, 256), R(1024, 256), R(1024)], t => nn.functional.linear(t[0], t[1], t[2])),
            ("linear 4096x2048 -> 512 (MiT-b5 stage 4 fc2)", [R(4096, 2048), R(512, 2048), R(512)], t => nn.functional.linear(t[0], t[1], t[2])),
            ("attention q.kT, v (2x5x1024x64, 256 keys)", [R(2, 5, 1024, 64), R(2, 5, 256, 64), R(2, 5, 256, 64)],
                t => t[0].matmul(t[1].transpose(-2, -1)).softmax(-1).matmul(t[2])),
            ("conv 3x3 256 -> 64 (ASPP bottleneck)", [R(1, 256, 32, 32), R(64, 256, 3, 3)], t => nn.functional.conv2d(t[0], t[1], padding: [1, 1])),
            ("conv 1x1 256 -> 64 (ASPP branch)", [R(1, 256, 32, 32), R(64, 256, 1, 1)], t => nn.functional.conv2d(t[0], t[1])),
            ("depthwise conv 3x3 dilation 6 (sep-ASPP)", [R(1, 256, 32, 32), R(256, 1, 3, 3)],
                t => nn.functional.conv2d(t[0], t[1], padding: [6, 6], dilation: [6, 6], groups: 256)),
            ("conv 7x7 stride 4 3 -> 64 (patch embedding)", [R(1, 3, 128, 128), R(64, 3, 7, 7)],
                t => nn.functional.conv2d(t[0], t[1], strides: [4, 4], padding: [3, 3])),
        };
        var results = new List<CpuMathResult>();
        foreach (var (name, inputs, op) in cases)
        {
            var single = op(inputs);
            var reference = op(inputs.Select(t => t.to(ScalarType.Float64)).ToArray());
            var rel = Norm(single.to(ScalarType.Float64).Plus(reference.neg())) / Norm(reference);
            results.Add(new CpuMathResult(name, rel, Tolerance));
        }
        return results;
    }

    static double Norm(Tensor t) => t.mul(t).sum().sqrt().item<double>();
}
