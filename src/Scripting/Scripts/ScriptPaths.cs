namespace DaFormer.Cli.Scripts;

public static class ScriptPaths
{
    /// A path as the user would type it: relative to the current directory when below it.
    public static string Display(string path)
    {
        if (string.IsNullOrEmpty(path)) return "<script>";
        var rel = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return rel.StartsWith("..") || Path.IsPathRooted(rel) ? path : rel;
    }
}
