using System.Text.Json;
using DaFormer.Model;
using DaFormer.Training.Config;

namespace DaFormer.Training.Inference;

/// A JSON config given to `test` / `demo`: one of our run configs (a run directory's config.json)
/// or the original's mmseg config dict — told apart by the original's `model.backbone` object.
public static class InferenceConfigFile
{
    public static InferenceSetup ReadJson(string path, bool requireData)
    {
        if (!File.Exists(path)) throw new DaFormerError($"{path}: config file not found.");
        var text = File.ReadAllText(path);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e) { throw new DaFormerError($"{path}: not valid JSON ({e.Message}); expected a run config.json or the original's config JSON."); }
        using (doc)
        {
            if (OriginalConfig.Looks(doc.RootElement)) return OriginalConfig.Parse(doc.RootElement, path, requireData);
        }
        return InferenceSetup.FromRunConfig(ConfigJson.Deserialize(text, path), path);
    }

    /// A run directory: its config.json and the checkpoint to test (latest.pth, else the newest iter_N.pth).
    public static (InferenceSetup Setup, string Checkpoint) ReadRunDirectory(string dir)
    {
        var config = Path.Combine(dir, "config.json");
        if (!File.Exists(config))
            throw new DaFormerError($"{dir}: not a run directory (no config.json); pass a run directory or CONFIG CHECKPOINT.");
        var latest = Path.Combine(dir, "latest.pth");
        var checkpoint = File.Exists(latest) ? latest
            : Directory.GetFiles(dir, "iter_*.pth")
                .Select(f => (File: f, Iter: long.TryParse(Path.GetFileNameWithoutExtension(f)[5..], out var n) ? n : -1))
                .OrderByDescending(x => x.Iter).Select(x => x.File).FirstOrDefault()
              ?? throw new DaFormerError($"{dir}: the run directory has no checkpoint (latest.pth or iter_N.pth) yet.");
        return (ReadJson(config, requireData: true), checkpoint);
    }
}
