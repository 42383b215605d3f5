using DaFormer.Training.Runs;

namespace DaFormer.Cli.ConsoleUi;

/// Renders training progress: in a terminal one self-overwriting status line; when output is
/// redirected (logs, CI) a plain line every `plainEvery` iterations or 15 s, whichever comes first.
public sealed class ConsoleRunObserver(int plainEvery = 50) : IRunObserver
{
    readonly bool _interactive = Ui.Interactive;
    DateTime _lastPlain = DateTime.MinValue;
    long _max;
    bool _lineOpen;

    public void RunStarted(string runName, string runDir, long startIteration, long maxIterations)
    {
        _max = maxIterations;
        Console.WriteLine($"run {runName}");
        Console.WriteLine($"  directory  {runDir}");
        if (startIteration > 0) Console.WriteLine($"  resuming at iteration {startIteration}");
    }

    public void Iteration(IterationStats stats, TimeSpan? eta)
    {
        var line = Progress.Line(stats, _max, eta);
        if (_interactive)
        {
            var width = Math.Max(40, SafeWidth() - 1);
            Console.Write("\r" + (line.Length > width ? line[..width] : line.PadRight(width)));
            _lineOpen = true;
            return;
        }
        var n = stats.Iteration + 1;
        if (n % plainEvery == 0 || n == _max || (DateTime.UtcNow - _lastPlain).TotalSeconds >= 15)
        {
            Console.WriteLine(line);
            _lastPlain = DateTime.UtcNow;
        }
    }

    public void Message(string text)
    {
        CloseLine();
        Console.WriteLine(text);
    }

    public void Evaluated(long iteration, double miou, string table)
    {
        CloseLine();
        Console.WriteLine($"evaluation at iteration {iteration}:");
        Console.Write(table);
    }

    public void RunFinished(string runDir, long iterations, double? finalMiou)
    {
        CloseLine();
        Console.WriteLine($"finished {iterations} iterations; checkpoint {Path.Combine(runDir, RunDirectory.LatestCheckpoint)}");
    }

    void CloseLine()
    {
        if (!_lineOpen) return;
        Console.WriteLine();
        _lineOpen = false;
    }

    static int SafeWidth()
    {
        try { return Console.WindowWidth; } catch (IOException) { return 120; }
    }
}
