using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using DaFormer.Model;

namespace DaFormer.Cli.Downloads;

/// What happened to one item.
public sealed record DownloadResult(string Name, string Path, long Bytes, string Sha256, bool Skipped, bool Resumed);

/// Downloads into `dir` with resume: bytes arrive in `<file>.part`; an interrupted download continues
/// with an HTTP Range request; the file gets its final name only after size and SHA-256 check out.
public sealed class Downloader(HttpClient http, Action<string, long, long?>? progress = null)
{
    public async Task<DownloadResult> FetchAsync(DownloadItem item, string dir, CancellationToken ct = default)
    {
        Directory.CreateDirectory(dir);
        var final = Path.Combine(dir, item.FileName);
        if (File.Exists(final) && Verified(final, item, out var existingHash))
            return new(item.Name, final, new FileInfo(final).Length, existingHash, Skipped: true, Resumed: false);

        var part = final + ".part";
        var have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, item.Url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError)
        {
            throw new DaFormerError($"{item.Name}: cannot reach {new Uri(item.Url).Host} ({e.Message}). This machine looks offline. " +
                                    $"Download {item.Url} by hand and save it as {final}; the command skips files that are already there.");
        }
        using (response)
        {
            var resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
            if (have > 0 && !resumed) have = 0; // server ignored the range: start over
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) { File.Delete(part); return await FetchAsync(item, dir, ct); }
            if (!response.IsSuccessStatusCode)
                throw new DaFormerError($"{item.Name}: {item.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}. Check the URL or download it by hand to {final}.");
            if (response.Content.Headers.ContentType?.MediaType == "text/html")
                throw new DaFormerError($"{item.Name}: {item.Url} returned a web page instead of the file (quota or sign-in page). Open the URL in a browser and save the file as {final}.");
            long? total = response.Content.Headers.ContentLength is { } len ? len + have : item.Size;
            await using (var body = await response.Content.ReadAsStreamAsync(ct))
            await using (var file = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write))
            {
                var buffer = new byte[1 << 16];
                long done = have;
                int n;
                while ((n = await body.ReadAsync(buffer, ct)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                    done += n;
                    progress?.Invoke(item.Name, done, total);
                }
            }
            var size = new FileInfo(part).Length;
            var expectedSize = item.Size ?? total;
            if (expectedSize is { } es && size != es)
                throw new DaFormerError($"{item.Name}: downloaded {size} bytes but expected {es}; the partial file {part} is kept — run the command again to resume.");
            var hash = Sha256Of(part);
            if (item.Sha256 is { } want && !HashMatches(want, hash))
            {
                File.Delete(part);
                throw new DaFormerError($"{item.Name}: SHA-256 mismatch: got {hash}, expected {want}. The corrupt download was deleted; run the command again.");
            }
            File.Move(part, final, overwrite: true);
            if (item.Extract) ExtractTarGz(final, dir);
            return new(item.Name, final, size, hash, Skipped: false, Resumed: resumed);
        }
    }

    static bool Verified(string path, DownloadItem item, out string hash)
    {
        hash = "";
        if (item.Size is { } s && new FileInfo(path).Length != s) return false;
        hash = Sha256Of(path);
        return item.Sha256 is null || HashMatches(item.Sha256, hash);
    }

    /// A pinned hash is the full SHA-256 or its leading hex digits (at least 8): the model zoos name
    /// their files `<name>-<first 8 hex of the SHA-256>.pth` (mmcv `publish_model`, torch.hub `check_hash`).
    public static bool HashMatches(string pinned, string sha256) =>
        pinned.Length >= 8 && sha256.StartsWith(pinned, StringComparison.OrdinalIgnoreCase);

    public static string Sha256Of(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(f)).ToLowerInvariant();
    }

    static void ExtractTarGz(string archive, string dir)
    {
        using var gz = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
        TarFile.ExtractToDirectory(gz, dir, overwriteFiles: true);
    }
}
