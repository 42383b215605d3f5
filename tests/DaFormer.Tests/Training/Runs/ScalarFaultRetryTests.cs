using System.Runtime.InteropServices;
using DaFormer.Tests.Support;
using DaFormer.Training.Runs;

namespace DaFormer.Tests.Training.Runs;

/// A libtorch Scalar check failure in the middle of a run (TorchSharp's finalizer race, seen on
/// 2026-12-01 at random iterations) makes the trainer resume from its last checkpoint; the run then
/// logs exactly the numbers of an uninterrupted run.
[Collection(SerialCollection.Name)]
public class ScalarFaultRetryTests
{
    // The message libtorch gave on 2026-12-01 (frames abridged).
    const string LibtorchMessage =
        "Expected false to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)\n" +
        "Exception raised from toFloat at /pytorch/c10/core/Scalar.h:140 (most recent call first):\n" +
        "frame #10: THSTensor_add + 0x62 (0x7f786024b202 in libLibTorchSharp.so)\n";

    sealed class FaultOnce(long atIteration) : IRunObserver
    {
        bool thrown;
        public List<string> Messages { get; } = [];
        public void RunStarted(string runName, string runDir, long startIteration, long maxIterations) { }
        public void Iteration(IterationStats stats, TimeSpan? eta)
        {
            if (thrown || stats.Iteration != atIteration) return;
            thrown = true;
            throw new ExternalException(LibtorchMessage);
        }
        public void Message(string text) => Messages.Add(text);
        public void Evaluated(long iteration, double miouPercent, string table) { }
        public void RunFinished(string runDir, long iterations, double? finalMiouPercent) { }
    }

    [Fact]
    public void A_scalar_fault_after_a_checkpoint_resumes_and_logs_what_an_uninterrupted_run_logs()
    {
        var config = TinyRun.Config(8);
        config = config with { Runtime = config.Runtime with { CheckpointInterval = 3 } };
        var plain = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("dfscalarplain")));
        var observer = new FaultOnce(atIteration: 5);
        var faulted = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("dfscalarfault"), observer));

        Assert.Equal(RunStatus.Completed, faulted.Status);
        var message = Assert.Single(observer.Messages, m => m.Contains("Scalar check", StringComparison.Ordinal));
        Assert.Contains("retry 1 of 3", message);
        Assert.Contains("c10/core/Scalar.h", message);
        var expected = TinyRun.LossTerms(plain.RunDir);
        var actual = TinyRun.LossTerms(faulted.RunDir);
        Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
        foreach (var (iteration, terms) in expected)
            foreach (var (name, value) in terms.Where(t => t.Key.Contains("loss")))
                Assert.Equal(value, actual[iteration][name], 6);
    }

    [Fact]
    public void Other_native_errors_and_faults_before_any_checkpoint_are_not_retried()
    {
        Assert.False(ScalarFault.Matches(new ExternalException("Target 200 is out of bounds.")));
        Assert.True(ScalarFault.Matches(new ExternalException(LibtorchMessage)));
        Assert.False(ScalarFault.Matches(new InvalidOperationException(LibtorchMessage)));

        var config = TinyRun.Config(4);   // checkpoint only at the end: nothing to resume from at iteration 2
        var observer = new FaultOnce(atIteration: 2);
        var e = Assert.Throws<ExternalException>(() => Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("dfscalarnock"), observer)));
        Assert.Contains("Scalar.h", e.Message);
    }
}
