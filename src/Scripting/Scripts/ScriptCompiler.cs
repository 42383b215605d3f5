using System.Collections.Immutable;
using System.Text;
using DaFormer.Model;
using DaFormer.Training.Config;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Scripting;

namespace DaFormer.Cli.Scripts;

/// Compiles an experiment script with Roslyn into a small assembly (with its portable PDB embedded,
/// so exceptions carry script line numbers). Only this class touches Roslyn: a cached script runs
/// without loading the compiler at all.
public static class ScriptCompiler
{
    /// <summary>A compiled script: the assembly for the cache, the names of its entry point as Roslyn's
    /// public symbol API reports them (<see cref="Compilation.GetEntryPoint"/>), its source files, and —
    /// when just compiled — a runner from Roslyn's public <see cref="Script{T}.CreateDelegate"/>.</summary>
    public sealed record Compiled(byte[] Assembly, string SubmissionTypeName, string EntryPointName, IReadOnlyList<string> SourceFiles, ScriptRunner<object>? Runner = null);

    /// Assemblies a script sees without any `#r`: the core library, LINQ and collections, and the
    /// DaFormer assemblies (also what `#r "…/DaFormer.Training.dll"` maps to).
    static IEnumerable<Type> ReferencedTypes =>
    [
        typeof(object), typeof(Enumerable), typeof(List<>), typeof(ImmutableArray), typeof(Console),
        typeof(RunConfig), typeof(DaFormerError), typeof(DaFormer.Training.ScriptSupport.ScriptGuard),
    ];

    /// <summary>The references and imports an experiment script compiles with — exactly what `daformer run`
    /// uses (the editor tests build their workspace from this too).</summary>
    public static ScriptOptions Options(string fullPath)
    {
        var baseDir = Path.GetDirectoryName(fullPath)!;
        var references = ReferencedTypes.Select(t => t.Assembly.Location).Distinct()
            // Facades that type forward to CoreLib: without them `List<T>` (e.g. a sweep's `.ToList()`) does not compile.
            .Concat(new[] { "System.Runtime.dll", "System.Collections.dll" }.Select(f => Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, f)))
            .Where(File.Exists).Distinct()
            .Select(p => MetadataReference.CreateFromFile(p)).ToList();
        var host = new[] { typeof(RunConfig).Assembly, typeof(DaFormerError).Assembly }
            .ToDictionary(a => Path.GetFileName(a.Location), a => MetadataReference.CreateFromFile(a.Location), StringComparer.OrdinalIgnoreCase);

        var options = ScriptOptions.Default
            .WithFilePath(fullPath)
            .WithReferences(references)
            .WithImports(Array.Empty<string>())
            .WithMetadataResolver(new HostReferenceResolver(host, baseDir))
            .WithSourceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, baseDir))
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8)
            .WithOptimizationLevel(OptimizationLevel.Debug);
        return options;
    }

    public static Compiled Compile(string fullPath, string text)
    {
        var options = Options(fullPath);
        var fileResolver = new SourceFileResolver(ImmutableArray<string>.Empty, Path.GetDirectoryName(fullPath)!);
        // First the guarded text (endless loops and recursion stop with a message, see ScriptGuard); its
        // inserted calls shift columns, so errors are always reported from the unguarded text — exactly
        // what an editor shows. Should the guard ever break a script that compiles, it runs unguarded.
        var parse = new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script);
        var guarded = TryCompile(ScriptGuardRewriter.Rewrite(text, parse), options.WithSourceResolver(new GuardingSourceResolver(fileResolver, parse)));
        if (guarded.Result is { } ok) return ok;
        var plain = TryCompile(text, options.WithSourceResolver(fileResolver));
        return plain.Result ?? throw new DaFormerError(plain.Error!);
    }

    static (Compiled? Result, string? Error) TryCompile(string text, ScriptOptions options)
    {
        var script = CSharpScript.Create<object>(text, options);
        var compilation = script.GetCompilation();
        var errors = Errors(compilation.GetDiagnostics());
        if (errors.Count > 0) return (null, FormatDiagnostics(errors));
        if (compilation.SyntaxTrees.All(t => t.GetRoot() is CompilationUnitSyntax { Members.Count: 0 }))
            return (null, $"{ScriptPaths.Display(options.FilePath)}: the script is empty (no code, only comments or directives). An experiment script must end by returning a RunConfig " +
                          "or a sequence of them, e.g. `return Gta2Cs;` or `return from s in new[] { 0, 1 } select Gta2Cs.WithSeed(s);`");

        using var pe = new MemoryStream();
        var emit = compilation.Emit(pe, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.Embedded));
        var emitErrors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (!emit.Success)
            return (null, emitErrors.Count > 0 ? FormatDiagnostics(emitErrors)
                : $"{ScriptPaths.Display(options.FilePath)}: the script could not be compiled into a program; it must return a RunConfig or a sequence of them (e.g. `return Gta2Cs;`)");

        var entry = compilation.GetEntryPoint(CancellationToken.None)
            ?? throw new InvalidOperationException("the script compilation has no entry point");
        var sources = compilation.SyntaxTrees.Select(t => t.FilePath).Where(p => !string.IsNullOrEmpty(p)).Distinct().ToList();
        // This process runs the script through the scripting API itself; the emitted bytes are for the cache.
        return (new Compiled(pe.ToArray(), entry.ContainingType.MetadataName, entry.MetadataName, sources, script.CreateDelegate()), null);
    }

    /// <summary>The errors of a compilation in the order `daformer run` reports them (file, then position).</summary>
    public static IReadOnlyList<Diagnostic> Errors(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.GetMappedLineSpan().Path, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start).ToList();

    /// `file(line,col): error CSxxxx: message`, then the offending line and a caret — like the compiler.
    static string FormatDiagnostics(IReadOnlyList<Diagnostic> errors)
    {
        var sb = new StringBuilder();
        sb.Append($"the script does not compile ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):");
        foreach (var d in errors.Take(20))
        {
            sb.AppendLine();
            var span = d.Location.GetMappedLineSpan();
            var file = ScriptPaths.Display(span.Path);
            var (line, col) = (span.StartLinePosition.Line, span.StartLinePosition.Character);
            sb.Append($"{file}({line + 1},{col + 1}): error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
            if (d.Location.SourceTree is { } tree && line < tree.GetText().Lines.Count)
            {
                var code = tree.GetText().Lines[line].ToString();
                var trimmed = code.TrimStart();
                var indent = code.Length - trimmed.Length;
                sb.AppendLine().Append("    ").Append(trimmed.TrimEnd());
                sb.AppendLine().Append("    ").Append(new string(' ', Math.Max(0, col - indent))).Append('^');
            }
        }
        if (errors.Count > 20) sb.AppendLine().Append($"… and {errors.Count - 20} more");
        return sb.ToString();
    }
}
