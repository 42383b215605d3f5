using DaFormer.Model;
using DaFormer.Model.Segmentors;
using DaFormer.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Runtime;

/// Every Scalar our code hands to libtorch is held until the call returns (HeldScalars explains the
/// crash an unheld one causes): no implicit number → Scalar conversion in src/, no call of a TorchSharp
/// method that makes one inside, and no TorchSharp module in our networks whose forward makes one.
public class ImplicitScalarSourceTests
{
    static string Src => Path.Combine(Paths.RepoRoot, "src");

    [Fact]
    public void Source_passes_no_unheld_Scalar_to_libtorch()
    {
        var findings = ImplicitScalarScan.Scan([Path.Combine(Src, "Model"), Path.Combine(Src, "Training"), Path.Combine(Src, "Scripting")]);
        Assert.True(findings.Count == 0, "unheld Scalars (use DaFormer.Model.Runtime.HeldScalars):\n" +
            string.Join("\n", findings.Select(f => $"{Path.GetRelativePath(Src, f.File)}:{f.Line}  {f.What}  `{f.Code}`")));
    }

    [Fact]
    public void The_scan_finds_each_unheld_form()
    {
        var dir = Paths.NewTempDir("dfscalarscan");
        File.WriteAllText(Path.Combine(dir, "Sample.cs"), """
            using TorchSharp;
            using static TorchSharp.torch;
            static class Sample
            {
                static void Run(Tensor a, Tensor b, TorchSharp.Modules.BatchNorm2d bn, TorchSharp.Modules.AdamW opt)
                {
                    var sum = a + b;                   // Tensor.op_Addition(Tensor, Tensor): alpha = 1
                    var half = a.mul(0.5);             // implicit conversion to Scalar
                    a.add_(b);                         // Tensor.add_(Tensor): alpha = 1
                    var y = bn.forward(a);             // BatchNorm.forward: num_batches_tracked.add_(1)
                    opt.step();                        // AdamW.step
                    using var held = 0.5.ToScalar();
                    var fine = a.mul(held);            // held: not a finding
                    var product = a * b;               // no Scalar: not a finding
                }
            }
            """);
        var findings = ImplicitScalarScan.Scan([dir]);
        var lines = findings.Select(f => f.Line).Order().ToList();
        Assert.Equal([7, 8, 9, 10, 11], lines.Distinct());
        Assert.Contains(findings, f => f.Line == 8 && f.What == "implicit conversion to Scalar");
        Assert.Contains(findings, f => f.Line == 10 && f.What.StartsWith("BatchNorm.forward", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Line == 11 && f.What.StartsWith("AdamW.step", StringComparison.Ordinal));
    }

    /// Module types reached only through virtual `forward` calls (Sequential, ModuleList) are invisible
    /// to the source scan; this looks at the built networks: every encoder family and every head, and HRDA.
    [Fact]
    public void Networks_contain_no_TorchSharp_module_whose_forward_makes_unheld_Scalars()
    {
        var making = ImplicitScalarScan.TorchSharpMethodsMakingScalars();
        bool Makes(nn.Module m)
        {
            var forward = m.GetType().GetMethod("forward", [typeof(Tensor)]);
            return forward is not null && forward.DeclaringType!.Assembly == typeof(Scalar).Assembly && making.Contains(forward.MetadataToken);
        }
        using (var plain = nn.BatchNorm2d(4)) Assert.True(Makes(plain), "the check must recognise TorchSharp's own BatchNorm2d");

        var specs = new List<SegmentorSpec>();
        foreach (var head in ArchitectureTable.Heads)
        {
            var encoder = head.Encoders.Contains(EncoderFamily.Mit) ? EncoderNames.MitB0 : EncoderNames.R50V1c;
            specs.Add(new SegmentorSpec(Encoder: encoder, Head: head.Name, Channels: 16));
        }
        foreach (var encoder in new[] { EncoderNames.X50_32, EncoderNames.S50 })
            specs.Add(new SegmentorSpec(Encoder: encoder, Head: HeadNames.Dlv2Red, Channels: 16));
        var offenders = new List<string>();
        foreach (var (spec, hrda) in specs.Select(s => (s, (HrdaSpec?)null)).Append((new SegmentorSpec(Encoder: EncoderNames.MitB0, Channels: 16), new HrdaSpec())))
        {
            using var model = SegmentorFactory.Build(spec, hrda);
            offenders.AddRange(model.named_modules().Where(m => Makes(m.module)).Select(m => $"{spec.Encoder}+{spec.Head}: {m.name} ({m.module.GetType().Name})"));
        }
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }
}
