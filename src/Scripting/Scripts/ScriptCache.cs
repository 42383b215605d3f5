using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using DaFormer.Model;
using DaFormer.Training.Config;

namespace DaFormer.Cli.Scripts;

/// Compiled scripts on disk, so `daformer run X.csx` starts in well under a second the second time
/// (a cold Roslyn compile costs seconds on a small machine). The key covers the script's path and
/// text and the exact DaFormer/Roslyn builds; a manifest lists every `#load`-ed file with its hash,
/// and any change recompiles. Location: $DAFORMER_SCRIPT_CACHE, else ~/.cache/daformer/scripts;
/// DAFORMER_SCRIPT_CACHE=off disables it.
static class ScriptCache
{
    const string Format = "daformer-script-cache-v3"; // v3: entry-point names in the manifest; scripts compiled with ScriptGuard calls

    public static string? Directory
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("DAFORMER_SCRIPT_CACHE");
            if (string.Equals(env, "off", StringComparison.OrdinalIgnoreCase)) return null;
            if (!string.IsNullOrEmpty(env)) return env;
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var root = !string.IsNullOrEmpty(xdg) ? xdg : string.IsNullOrEmpty(home) ? Path.GetTempPath() : Path.Combine(home, ".cache");
            return Path.Combine(root, "daformer", "scripts");
        }
    }

    public static string Key(string fullPath, string text)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Format).AppendLine(fullPath).AppendLine(Hash(text));
        foreach (var a in new[] { typeof(RunConfig).Assembly, typeof(DaFormerError).Assembly, typeof(ScriptCache).Assembly })
            sb.AppendLine(a.ManifestModule.ModuleVersionId.ToString());
        return Hash(sb.ToString())[..32];
    }

    public static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// The cached assembly, its entry point (type and method, as Roslyn named them when it compiled the
    /// script) and the source files, for this key — if every source file is unchanged.
    public static (string DllPath, string TypeName, string EntryPointName, IReadOnlyList<string> Sources)? TryGet(string key)
    {
        if (Directory is not { } dir) return null;
        var dll = Path.Combine(dir, key + ".dll");
        var manifest = Path.Combine(dir, key + ".txt");
        try
        {
            if (!File.Exists(dll) || !File.Exists(manifest)) return null;
            var lines = File.ReadAllLines(manifest);
            if (lines.Length < 1 || lines[0].Split('\t') is not [var typeName, var entryName]) return null;
            var sources = new List<string>();
            foreach (var line in lines.Skip(1))
            {
                var sep = line.IndexOf(' ');
                if (sep < 0) return null;
                var (hash, path) = (line[..sep], line[(sep + 1)..]);
                if (!File.Exists(path) || Hash(File.ReadAllText(path)) != hash) return null;
                sources.Add(path);
            }
            return (dll, typeName, entryName, sources);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// Stores a compiled script (temp file + rename, so concurrent runs never see half a file) and
    /// returns where to load it from; without a usable cache, a temporary file.
    public static string Store(string key, ScriptCompiler.Compiled compiled)
    {
        var dir = Directory;
        try
        {
            if (dir is null) throw new IOException("cache off");
            System.IO.Directory.CreateDirectory(dir);
            var dll = Path.Combine(dir, key + ".dll");
            var manifest = Path.Combine(dir, key + ".txt");
            WriteAtomically(dll, compiled.Assembly);
            var lines = new[] { $"{compiled.SubmissionTypeName}\t{compiled.EntryPointName}" }
                .Concat(compiled.SourceFiles.Select(p => $"{Hash(File.ReadAllText(p))} {p}"));
            WriteAtomically(manifest, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
            return dll;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var tmp = Path.Combine(Path.GetTempPath(), $"daformer-script-{key}-{Guid.NewGuid():N}.dll");
            File.WriteAllBytes(tmp, compiled.Assembly);
            return tmp;
        }
    }

    static void WriteAtomically(string path, byte[] bytes)
    {
        var tmp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }

    public static Assembly Load(string dllPath) =>
        System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(dllPath));
}
