using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using DaFormer.Model;

namespace DaFormer.Training.ScriptSupport;

/// Why a script's evaluation was stopped, with the script line that was running.
public sealed class ScriptLimitError(string message, string? file, int line) : DaFormerError(message)
{
    public string? File { get; } = file;
    public int Line { get; } = line;
}

/// Called by experiment scripts at the start of every block, loop body and expression-bodied member
/// (the runner inserts the calls when it compiles a script; scripts never call it themselves). It
/// stops runaway scripts in a way the host survives: .NET cannot catch a stack overflow — the
/// process dies — so recursion is stopped while stack is still left, and an endless loop is stopped
/// at its next iteration once the evaluation's time limit has passed.
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ScriptGuard
{
    [ThreadStatic] static long deadline;   // Environment.TickCount64 in ms; 0 = no limit on this thread
    [ThreadStatic] static double limitSeconds;

    public static void Tick()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            var (file, line) = Caller();
            throw new ScriptLimitError("the script recursed until the stack ran out (endless recursion?); evaluation was stopped", file, line);
        }
        if (deadline != 0 && Environment.TickCount64 > deadline)
        {
            var (file, line) = Caller();
            throw new ScriptLimitError(
                $"the script was still running after the {limitSeconds:0.###} s time limit (an endless loop?); evaluation was stopped. " +
                "A script only builds configs and should finish in well under a second; raise the limit with --script-timeout SECONDS if it is genuinely slow",
                file, line);
        }
    }

    /// Limits the script code that runs on the calling thread until the result is disposed.
    public static IDisposable Limit(TimeSpan timeout)
    {
        limitSeconds = timeout.TotalSeconds;
        deadline = Environment.TickCount64 + (long)Math.Max(1, timeout.TotalMilliseconds);
        return new Reset();
    }

    sealed class Reset : IDisposable
    {
        public void Dispose() => deadline = 0;
    }

    // Only the frame that called Tick: a full stack trace of a deep recursion would take seconds.
    static (string? File, int Line) Caller()
    {
        var f = new StackFrame(2, needFileInfo: true);
        return (f.GetFileName(), f.GetFileLineNumber());
    }
}
