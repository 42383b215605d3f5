using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace DaFormer.Cli.Scripts;

/// Resolves a script's `#r "…/DaFormer.Training.dll"` (and DaFormer.Model.dll) to the assemblies this
/// process already runs, whatever the path says. Scripts reference the copies the build places in
/// `experiments/.refs/` so editors (VS Code, Rider) find them; the runner must not load those copies
/// a second time — two loads of one assembly would make the script's RunConfig a different type
/// from the runner's. Other `#r` lines resolve as usual, relative to the script.
sealed class HostReferenceResolver(IReadOnlyDictionary<string, PortableExecutableReference> host, string baseDirectory)
    : MetadataReferenceResolver
{
    readonly ScriptMetadataResolver inner = ScriptMetadataResolver.Default.WithBaseDirectory(baseDirectory);

    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties)
    {
        var file = Path.GetFileName(reference.Replace('\\', '/'));
        if (host.TryGetValue(file, out var hostReference)) return [hostReference];
        return inner.ResolveReference(reference, baseFilePath, properties);
    }

    public override bool Equals(object? other) => ReferenceEquals(this, other);
    public override int GetHashCode() => baseDirectory.GetHashCode();
}
