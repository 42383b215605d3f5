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
static class ScriptCompiler
{
    public sealed record Compiled(byte[] Assembly, string SubmissionTypeName, IReadOnlyList<string> SourceFiles);

    /// Assemblies a script sees without any `#r`: the core library, LINQ and collections, and the
    /// DaFormer assemblies (also what `#r "…/DaFormer.Training.dll"` maps to).
    static IEnumerable<Type> ReferencedTypes =>
    [
        typeof(object), typeof(Enumerable), typeof(List<>), typeof(ImmutableArray), typeof(Console),
        typeof(RunConfig), typeof(DaFormerError), typeof(DaFormer.Training.ScriptSupport.ScriptGuard),
    ];

    public static Compiled Compile(string fullPath, string text)
    {
        var baseDir = Path.GetDirectoryName(fullPath)!;
        var references = ReferencedTypes.Select(t => t.Assembly.Location).Distinct()
            // Facades that type forward to CoreLib: without them `List<T>` (e.g. a sweep's `.ToList()`) does not compile.
            .Concat(new[] { "System.Runtime.dll", "System.Collections.dll" }.Select(f => Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, f)))
            .Where(File.Exists).Distinct()
            .Select(p => MetadataReference.CreateFromFile(p)).ToList();
        var host = new[] { typeof(RunConfig).Assembly, typeof(DaFormerError).Assembly }
            .ToDictionary(a => Path.GetFileName(a.Location), a => MetadataReference.CreateFromFile(a.Location), StringComparer.OrdinalIgnoreCase);

        var fileResolver = new SourceFileResolver(ImmutableArray<string>.Empty, baseDir);
        var options = ScriptOptions.Default
            .WithFilePath(fullPath)
            .WithReferences(references)
            .WithImports(Array.Empty<string>())
            .WithMetadataResolver(new HostReferenceResolver(host, baseDir))
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8)
            .WithOptimizationLevel(OptimizationLevel.Debug);

        // First the guarded text (endless loops and recursion stop with a message, see ScriptGuard);
        // should the guard ever break a script that compiles, the script runs unguarded rather than not at all.
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
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.GetMappedLineSpan().Path, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start).ToList();
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
        return (new Compiled(pe.ToArray(), entry.ContainingType.MetadataName, sources), null);
    }

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
