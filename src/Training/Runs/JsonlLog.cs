using System.Text.Json;

namespace DaFormer.Training.Runs;

/// Appends one JSON object per line to `log.jsonl` and flushes each line, so a killed run keeps
/// everything it logged. On resume, lines past the resumed iteration are dropped first.
public sealed class JsonlLog : IDisposable
{
    static readonly JsonSerializerOptions Options = new() { WriteIndented = false };
    readonly StreamWriter _writer;

    public string Path { get; }

    public JsonlLog(string path, long? truncateAfterIteration = null)
    {
        Path = path;
        if (truncateAfterIteration is { } last && File.Exists(path))
        {
            var kept = File.ReadLines(path).Where(l => IterationOf(l) is not { } i || i <= last).ToList();
            File.WriteAllLines(path, kept);
        }
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public void Write(IReadOnlyDictionary<string, object?> record) => _writer.WriteLine(JsonSerializer.Serialize(record, Options));

    public void Dispose() => _writer.Dispose();

    static long? IterationOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("iter", out var v) && v.TryGetInt64(out var i) ? i : null;
        }
        catch (JsonException) { return null; }
    }

    /// Reads all records of a log (for `daformer plot`, `compare` and `test`).
    public static IReadOnlyList<JsonElement> Read(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l =>
        {
            try { return JsonDocument.Parse(l).RootElement.Clone(); }
            catch (JsonException) { return default; }
        }).Where(e => e.ValueKind == JsonValueKind.Object).ToList();
}
