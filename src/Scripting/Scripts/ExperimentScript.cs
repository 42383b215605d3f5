using System.Collections;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using DaFormer.Model;
using DaFormer.Training.Config;
using DaFormer.Training.ScriptSupport;

namespace DaFormer.Cli.Scripts;

/// An experiment script after evaluation: the configs it produced, in order, and its source files
/// (the script and every `#load`-ed base) for the run directory.
public sealed record LoadedScript(string Path, IReadOnlyList<RunConfig> Configs, IReadOnlyList<string> SourceFiles)
{
    /// The script followed by its `#load`-ed files, each under a header line — stored with each run.
    public string CombinedText()
    {
        var sb = new StringBuilder();
        foreach (var f in SourceFiles)
        {
            if (sb.Length > 0) sb.AppendLine().AppendLine($"// ===== #load {ScriptPaths.Display(f)} =====");
            sb.Append(File.ReadAllText(f));
        }
        return sb.ToString();
    }
}

/// Runs an experiment script (`*.csx`): a C# script that evaluates to one <see cref="RunConfig"/> or a
/// sequence of them (`return Gta2Cs;`, `return from t in … select …;`).
public static class ExperimentScript
{
    /// How long a script may take to evaluate (it only builds configs; an endless loop is stopped).
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// Environment variable for the time limit in seconds (`--script-timeout` overrides it).
    public const string TimeoutVariable = "DAFORMER_SCRIPT_TIMEOUT";

    /// The limit from $DAFORMER_SCRIPT_TIMEOUT, else <see cref="DefaultTimeout"/>.
    public static TimeSpan ConfiguredTimeout =>
        Environment.GetEnvironmentVariable(TimeoutVariable) is { Length: > 0 } v
        && double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s) : DefaultTimeout;

    // Script evaluation gets its own thread: a bounded, known stack for the recursion guard and a
    // thread the caller can stop waiting for.
    const int EvaluationStackBytes = 1024 * 1024;

    public static LoadedScript Load(string path, TimeSpan? timeout = null)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new DaFormerError($"{path}: script not found");
        var text = File.ReadAllText(fullPath);
        var key = ScriptCache.Key(fullPath, text);

        Func<Task<object>> run;
        IReadOnlyList<string> sources;
        if (ScriptCache.TryGet(key) is { } hit)
        {
            sources = MainFirst(hit.Sources, fullPath);
            run = () => CachedEntryPoint(ScriptCache.Load(hit.DllPath), hit.TypeName, hit.EntryPointName)();
        }
        else
        {
            var compiled = Compile(fullPath, text);
            ScriptCache.Store(key, compiled);
            sources = MainFirst(compiled.SourceFiles, fullPath);
            run = () => compiled.Runner!();
        }
        var value = EvaluateLimited(run, sources, path, timeout ?? ConfiguredTimeout);
        return new LoadedScript(fullPath, ToConfigs(value, path), sources);
    }

    static List<string> MainFirst(IReadOnlyList<string> sources, string fullPath) => sources.OrderBy(s => s == fullPath ? 0 : 1).ToList();

    /// <summary>
    /// The entry point of a cached script assembly: the public static method that Roslyn's public symbol
    /// API (<c>Compilation.GetEntryPoint</c>) named when the script was compiled, with the signature the
    /// scripting API's own runner gives it — one slot for a globals object (scripts here have none) and
    /// one for each submission of the chain (one script = one submission).
    /// </summary>
    static Func<Task<object>> CachedEntryPoint(Assembly assembly, string typeName, string entryPointName)
    {
        var method = assembly.GetType(typeName)?.GetMethod(entryPointName, BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"the cached script assembly has no public entry point {typeName}.{entryPointName}; delete {ScriptCache.Directory}");
        var entry = method.CreateDelegate<Func<object?[], Task<object>>>();
        return () => entry(new object?[2]);
    }

    // Separate method so Roslyn is JIT-ed and loaded only on a cache miss.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static ScriptCompiler.Compiled Compile(string fullPath, string text) => ScriptCompiler.Compile(fullPath, text);

    /// Evaluates on a dedicated thread under <see cref="ScriptGuard"/>'s limits. The guard stops loops
    /// and recursion in script code; should the time run out inside library code the guard cannot
    /// reach, the caller stops waiting (the thread is a background thread and ends with the process).
    static object? EvaluateLimited(Func<Task<object>> run, IReadOnlyList<string> sources, string path, TimeSpan timeout)
    {
        object? value = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            using var _ = ScriptGuard.Limit(timeout);
            try { value = Evaluate(run, sources, path); }
            catch (Exception e) { failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        }, EvaluationStackBytes) { IsBackground = true, Name = "daformer-script" };
        thread.Start();
        if (!thread.Join(timeout + TimeSpan.FromSeconds(5)))
            throw new DaFormerError($"{path}: the script was still running after the {timeout.TotalSeconds:0.###} s time limit (an endless loop?); " +
                                    "evaluation was abandoned. Raise the limit with --script-timeout SECONDS if the script is genuinely slow.");
        failure?.Throw();
        return value;
    }

    static object? Evaluate(Func<Task<object>> run, IReadOnlyList<string> sources, string path)
    {
        try
        {
            var value = run().GetAwaiter().GetResult();
            // A lazy LINQ query runs now, so its exceptions also point at the script.
            if (value is IEnumerable<RunConfig> seq) value = seq.ToList();
            return value;
        }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: { } ie } ? ie : e;
            throw new DaFormerError(DescribeScriptException(inner, sources, path), inner);
        }
    }

    /// `script.csx(12): the script threw InvalidOperationException: message` — the innermost stack
    /// frame that lies in the script or one of its #load-ed files.
    static string DescribeScriptException(Exception e, IReadOnlyList<string> sources, string path)
    {
        if (e is ScriptLimitError limit)
        {
            var at = limit.File is { } f && limit.Line > 0 && sources.Contains(f) ? $"{ScriptPaths.Display(f)}({limit.Line})" : path;
            return $"{at}: {limit.Message}";
        }
        var set = new HashSet<string>(sources);
        var frame = new StackTrace(e, fNeedFileInfo: true).GetFrames()
            .FirstOrDefault(f => f.GetFileName() is { } file && set.Contains(file));
        var where = frame is null ? path : $"{ScriptPaths.Display(frame.GetFileName()!)}({frame.GetFileLineNumber()})";
        var kind = e is DaFormerError ? "" : $"{e.GetType().Name}: ";
        var message = $"{where}: the script threw {kind}{e.Message}";
        if (frame is not null && frame.GetFileLineNumber() > 0)
        {
            var lines = File.ReadAllLines(frame.GetFileName()!);
            if (frame.GetFileLineNumber() <= lines.Length) message += Environment.NewLine + "    " + lines[frame.GetFileLineNumber() - 1].Trim();
        }
        return message;
    }

    static IReadOnlyList<RunConfig> ToConfigs(object? value, string path)
    {
        switch (value)
        {
            case RunConfig single:
                return [single];
            case IEnumerable<RunConfig> many:
                var list = many.ToList();
                if (list.Count == 0) throw new DaFormerError($"{path}: the script returned an empty sequence; expected at least one RunConfig");
                if (list.Any(c => c is null)) throw new DaFormerError($"{path}: the script's sequence contains null; expected only RunConfig values");
                return list;
            case null:
                throw new DaFormerError($"{path}: the script returned nothing; end it with `return <config>;` or a sequence of configs (e.g. `return Gta2Cs;`)");
            case IEnumerable other when value is not string:
                throw new DaFormerError($"{path}: the script returned a sequence of {ElementName(other)}; expected RunConfig values");
            default:
                throw new DaFormerError($"{path}: the script returned a value of type {value.GetType().Name}; expected a RunConfig or a sequence of RunConfig");
        }
    }

    static string ElementName(IEnumerable e) =>
        e.GetType().GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0].Name ?? "objects";
}
