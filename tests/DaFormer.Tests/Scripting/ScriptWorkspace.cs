using System.Collections.Immutable;
using DaFormer.Cli.Scripts;
using DaFormer.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Host.Mef;
using Microsoft.CodeAnalysis.Text;

namespace DaFormer.Tests.Scripting;

/// <summary>
/// An experiment script as an editor sees it: a script-kind document in a Roslyn workspace whose
/// references, imports and `#r`/`#load` resolution are exactly the runner's (<see cref="ScriptCompiler.Options"/>),
/// with XML documentation attached the way editors attach it — from the `.xml` file beside each assembly,
/// for the DaFormer assemblies the copies in `experiments/.refs/` that scripts' `#r` lines name.
/// </summary>
sealed class ScriptWorkspace : IDisposable
{
    static readonly Lazy<MefHostServices> Host = new(() => MefHostServices.Create(MefHostServices.DefaultAssemblies));

    readonly AdhocWorkspace workspace;
    public Document Document { get; }

    ScriptWorkspace(string fullPath, string text)
    {
        var runner = ScriptCompiler.Options(fullPath);
        workspace = new AdhocWorkspace(Host.Value);
        var projectId = ProjectId.CreateNewId();
        var compilationOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, usings: runner.Imports)
            .WithMetadataReferenceResolver(new DocumentingResolver(runner.MetadataResolver))
            .WithSourceReferenceResolver(runner.SourceResolver);
        var project = ProjectInfo.Create(projectId, VersionStamp.Create(), "script", "script", LanguageNames.CSharp,
            isSubmission: true,
            compilationOptions: compilationOptions,
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script),
            metadataReferences: runner.MetadataReferences.OfType<PortableExecutableReference>().Select(Documented));
        var solution = workspace.CurrentSolution.AddProject(project);
        var documentId = DocumentId.CreateNewId(projectId);
        solution = solution.AddDocument(DocumentInfo.Create(documentId, Path.GetFileName(fullPath),
            sourceCodeKind: SourceCodeKind.Script,
            loader: TextLoader.From(TextAndVersion.Create(SourceText.From(text), VersionStamp.Create(), fullPath)),
            filePath: fullPath));
        if (!workspace.TryApplyChanges(solution)) throw new InvalidOperationException("workspace refused the script project");
        Document = workspace.CurrentSolution.GetDocument(documentId)!;
    }

    /// <summary>A script of the repository, as written.</summary>
    public static ScriptWorkspace Open(string fullPath) => new(fullPath, File.ReadAllText(fullPath));

    /// <summary>Script text that is being edited, at the place of a script file (for #r/#load resolution).</summary>
    public static ScriptWorkspace Edit(string fullPath, string text) => new(fullPath, text);

    public void Dispose() => workspace.Dispose();

    /// <summary>The XML documentation editors find: DaFormer assemblies from experiments/.refs/, others beside the dll.</summary>
    static PortableExecutableReference Documented(PortableExecutableReference r)
    {
        var dll = r.FilePath!;
        var name = Path.GetFileNameWithoutExtension(dll);
        var xml = name.StartsWith("DaFormer.", StringComparison.Ordinal)
            ? Path.Combine(Paths.Experiments, ".refs", name + ".xml")
            : Path.ChangeExtension(dll, ".xml");
        return File.Exists(xml)
            ? MetadataReference.CreateFromFile(dll, r.Properties, XmlDocumentationProvider.CreateFromFile(xml))
            : r;
    }

    /// <summary>The runner's resolver (which maps `#r ".refs/DaFormer.Training.dll"` to the assembly the runner runs), plus documentation.</summary>
    sealed class DocumentingResolver(MetadataReferenceResolver inner) : MetadataReferenceResolver
    {
        public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties) =>
            inner.ResolveReference(reference, baseFilePath, properties).Select(Documented).ToImmutableArray();

        public override bool Equals(object? other) => ReferenceEquals(this, other);
        public override int GetHashCode() => inner.GetHashCode();
    }
}
