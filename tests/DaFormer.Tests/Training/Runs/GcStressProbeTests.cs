using DaFormer.Model.Runtime;
using DaFormer.Tests.Support;
using DaFormer.Training.Runs;

namespace DaFormer.Tests.Training.Runs;

[Collection(SerialCollection.Name)]
public class GcStressProbeTests
{
    [Theory]
    [InlineData("fp32")]
    [InlineData("bf16")]
    public void Probe(string precision)
    {
        var config = TinyRun.Config(int.Parse(Environment.GetEnvironmentVariable("PROBE_ITERS") ?? "60"));
        config = config with { Runtime = config.Runtime with { Precision = precision == "bf16" ? Precision.Bf16 : Precision.Fp32 } };
        using var stop = new CancellationTokenSource();
        long collections = 0;
        var hammer = new Thread(() => { while (!stop.IsCancellationRequested) { GC.Collect(); GC.WaitForPendingFinalizers(); collections++; } }) { IsBackground = true };
        hammer.Start();
        try
        {
            var r = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("dfgcprobe")));
            Console.WriteLine($"PROBE {precision}: {r.Status} after {collections} collections");
        }
        catch (Exception e) { Console.WriteLine($"PROBE {precision}: FAILED after {collections} collections: {e.Message.Split('\n')[0]} | {string.Join(" / ", e.Message.Split('\n').Where(l => l.Contains("frame #") ).Take(6))}"); throw; }
        finally { stop.Cancel(); hammer.Join(); }
    }
}
