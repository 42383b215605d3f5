using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace DaFormer.Tests.Support;

/// Finds the places where a .NET number becomes a TorchSharp `Scalar` without anyone holding it:
/// (1) implicit conversions in our source, found with Roslyn's semantic model; (2) calls of
/// TorchSharp methods that make such a Scalar inside (e.g. `Tensor.add(Tensor)` passes `alpha = 1`),
/// found by reading TorchSharp.dll's IL for calls of `Scalar.op_Implicit`, directly or through other
/// TorchSharp methods. Such a Scalar is unreachable while libtorch still reads it, so a garbage
/// collection started by another thread can let the finalizer free it mid-call.
public static class ImplicitScalarScan
{
    public sealed record Finding(string File, int Line, string What, string Code);

    /// Metadata tokens of the TorchSharp methods whose body makes an unheld Scalar.
    public static IReadOnlySet<int> TorchSharpMethodsMakingScalars() => Lazy.Value;

    /// A readable name of a TorchSharp method token ("Tensor.add(Tensor)").
    public static string Describe(int token)
    {
        var m = typeof(TorchSharp.Scalar).Module.ResolveMethod(token)!;
        return m.DeclaringType!.Name + "." + m.Name + "(" + string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name)) + ")";
    }

    static readonly Lazy<HashSet<int>> Lazy = new(ScanTorchSharp);

    static HashSet<int> ScanTorchSharp()
    {
        var path = typeof(TorchSharp.Scalar).Assembly.Location;
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var oneByte = new Dictionary<byte, OpCode>();
        var twoByte = new Dictionary<byte, OpCode>();
        foreach (var f in typeof(OpCodes).GetFields())
        {
            var op = (OpCode)f.GetValue(null)!;
            if (op.Size == 1) oneByte[(byte)op.Value] = op; else twoByte[(byte)(op.Value & 0xff)] = op;
        }
        string TypeName(TypeDefinitionHandle h)
        {
            var t = md.GetTypeDefinition(h);
            var name = md.GetString(t.Name);
            return t.GetDeclaringType().IsNil ? md.GetString(t.Namespace) + "." + name : TypeName(t.GetDeclaringType()) + "+" + name;
        }
        string Key(MethodDefinitionHandle h)
        {
            var m = md.GetMethodDefinition(h);
            return TypeName(m.GetDeclaringType()) + "::" + md.GetString(m.Name) + "/" + m.GetParameters().Count;
        }
        string CalleeName(EntityHandle h) => h.Kind switch
        {
            HandleKind.MethodDefinition => Key((MethodDefinitionHandle)h),
            HandleKind.MemberReference => md.GetString(md.GetMemberReference((MemberReferenceHandle)h).Name),
            HandleKind.MethodSpecification => CalleeName(md.GetMethodSpecification((MethodSpecificationHandle)h).Method),
            _ => "",
        };
        var calls = new Dictionary<MethodDefinitionHandle, List<EntityHandle>>();
        foreach (var mh in md.MethodDefinitions)
        {
            var m = md.GetMethodDefinition(mh);
            if (m.RelativeVirtualAddress == 0) continue;
            var il = pe.GetMethodBody(m.RelativeVirtualAddress).GetILBytes()!;
            var list = new List<EntityHandle>();
            for (int i = 0; i < il.Length;)
            {
                var op = il[i] == 0xFE ? twoByte[il[i + 1]] : oneByte[il[i]];
                i += op.Size;
                if (op.OperandType == OperandType.InlineMethod) list.Add(MetadataTokens.EntityHandle(BitConverter.ToInt32(il, i)));
                i += op.OperandType switch
                {
                    OperandType.InlineNone => 0,
                    OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                    OperandType.InlineVar => 2,
                    OperandType.InlineI8 or OperandType.InlineR => 8,
                    OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                    _ => 4,
                };
            }
            calls[mh] = list;
        }
        var implicitOp = calls.Keys.Where(h => Key(h).StartsWith("TorchSharp.Scalar::op_Implicit/", StringComparison.Ordinal)).ToHashSet();
        var making = calls.Where(kv => !implicitOp.Contains(kv.Key) && kv.Value.Any(c => c.Kind == HandleKind.MethodDefinition && implicitOp.Contains((MethodDefinitionHandle)c)))
                          .Select(kv => kv.Key).ToHashSet();
        for (var grown = true; grown;)
        {
            grown = false;
            foreach (var (caller, callees) in calls)
                if (!making.Contains(caller) && !implicitOp.Contains(caller)
                    && callees.Any(c => c.Kind == HandleKind.MethodDefinition && making.Contains((MethodDefinitionHandle)c)))
                    grown = making.Add(caller);
        }
        return making.Select(h => MetadataTokens.GetToken(h)).ToHashSet();
    }

    /// Compiles the C# files under `sourceDirs` against the assemblies the tests run with and lists
    /// every unheld Scalar: implicit conversions to Scalar and calls of `TorchSharpMethodsMakingScalars`.
    public static IReadOnlyList<Finding> Scan(IEnumerable<string> sourceDirs)
    {
        var files = sourceDirs.SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
                              .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                              .ToList();
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(GlobalUsings, options, "GlobalUsings.g.cs"));
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var refs = tpa.Where(p => !Path.GetFileName(p).StartsWith("DaFormer.", StringComparison.Ordinal) && Path.GetFileName(p) != "daformer.dll")
                      .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("scan", trees, refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        var making = TorchSharpMethodsMakingScalars();
        var findings = new List<Finding>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            var roots = tree.GetRoot().DescendantNodes().Select(n => model.GetOperation(n)).Where(o => o is { Parent: null });
            foreach (var op in roots.SelectMany(r => r!.DescendantsAndSelf()))
            {
                string? what = op switch
                {
                    IConversionOperation { OperatorMethod: { } m, Syntax: not Microsoft.CodeAnalysis.CSharp.Syntax.CastExpressionSyntax } when IsScalar(m.ContainingType) => "implicit conversion to Scalar",
                    IInvocationOperation inv when Makes(inv.TargetMethod) => Describe(Token(inv.TargetMethod)),
                    IBinaryOperation { OperatorMethod: { } m } when Makes(m) => Describe(Token(m)),
                    ICompoundAssignmentOperation { OperatorMethod: { } m } when Makes(m) => Describe(Token(m)),
                    IObjectCreationOperation { Constructor: { } c } when Makes(c) => Describe(Token(c)),
                    _ => null,
                };
                if (what is null) continue;
                var line = tree.GetLineSpan(op.Syntax.Span).StartLinePosition.Line + 1;
                findings.Add(new Finding(tree.FilePath, line, what, op.Syntax.ToString().Split('\n')[0].Trim()));
            }
        }
        bool Makes(IMethodSymbol m) => m.ContainingAssembly?.Name == "TorchSharp" && making.Contains(Token(m));
        // Source generators do not run here ([GeneratedRegex] partials: CS8795) and Program.cs is a
        // top-level program compiled as a library (CS8805); anything else means the scan is blind.
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id is not ("CS8795" or "CS8805")).Take(5).ToList();
        if (errors.Count > 0) throw new InvalidOperationException("scan compilation failed: " + string.Join("\n", errors));
        return findings;
    }

    static bool IsScalar(ITypeSymbol t) => t.Name == "Scalar" && t.ContainingNamespace?.ToDisplayString() == "TorchSharp";

    static int Token(IMethodSymbol m) => (m.ReducedFrom ?? m).OriginalDefinition.MetadataToken;

    const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;
}
