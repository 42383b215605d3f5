using DaFormer.Cli;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// Runs `daformer …` in-process with Console.Out/Error captured. Console redirection is process-wide,
/// so every test that uses it belongs to the "Console" collection (never in parallel). The current
/// directory is left alone (it is process-wide too): tests pass absolute paths.
public static class CliHarness
{
    static readonly object Gate = new();

    static CliHarness()
    {
        // Plain tables (no Spectre live rendering) and a private script cache for the test run.
        Environment.SetEnvironmentVariable("CI", "1");
        Environment.SetEnvironmentVariable("DAFORMER_SCRIPT_CACHE", Path.Combine(Path.GetTempPath(), "daformer-tests-script-cache"));
    }

    /// Runs the static set-up (environment) before a test loads scripts without going through Run.
    public static void Init() { }

    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public string All => Out + Err;
    }

    public static Result Run(params string[] args)
    {
        lock (Gate)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (o, e) = (new StringWriter(), new StringWriter());
            try
            {
                Console.SetOut(o);
                Console.SetError(e);
                var code = CliApp.Run(args);
                return new Result(code, o.ToString(), e.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }

    /// Writes a script into a fresh temporary folder and returns its path. The `#r` names the
    /// assembly by file name only: the runner maps it to the one it runs, wherever the path points.
    public static string WriteScript(string body, string name = "test.csx")
    {
        var dir = Paths.NewTempDir("dfscript");
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, "#r \"DaFormer.Training.dll\"\nusing System.Linq;\nusing DaFormer.Training.Config;\nusing static DaFormer.Training.Config.Presets;\n" + body);
        return path;
    }
}

[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;
