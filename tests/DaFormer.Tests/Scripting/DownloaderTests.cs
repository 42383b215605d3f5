using System.Net;
using System.Security.Cryptography;
using DaFormer.Cli.Downloads;
using DaFormer.Model;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// Runs the downloader against a small HTTP server on 127.0.0.1 (never the internet).
public sealed class DownloaderTests : IDisposable
{
    readonly HttpListener _listener = new();
    readonly byte[] _payload = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 31 % 251)).ToArray();
    readonly string _prefix;
    int _rangeRequests;
    bool _ignoreRange;

    public DownloaderTests()
    {
        // Pick a free port, then serve /file with Range support.
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _prefix = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_prefix);
        _listener.Start();
        _ = Task.Run(Serve);
    }

    async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); } catch { return; }
            var from = 0;
            var range = ctx.Request.Headers["Range"];
            if (range is not null && !_ignoreRange)
            {
                Interlocked.Increment(ref _rangeRequests);
                from = int.Parse(range.Replace("bytes=", "").TrimEnd('-'));
                ctx.Response.StatusCode = 206;
            }
            if (ctx.Request.Url!.AbsolutePath != "/file") { ctx.Response.StatusCode = 404; ctx.Response.Close(); continue; }
            ctx.Response.ContentType = "application/octet-stream";
            ctx.Response.ContentLength64 = _payload.Length - from;
            await ctx.Response.OutputStream.WriteAsync(_payload.AsMemory(from));
            ctx.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();

    string Hash => Convert.ToHexString(SHA256.HashData(_payload)).ToLowerInvariant();

    [Fact]
    public async Task Downloads_verifies_and_names_the_file_only_when_complete()
    {
        var dir = Paths.NewTempDir();
        using var http = new HttpClient();
        var r = await new Downloader(http).FetchAsync(new DownloadItem("x", _prefix + "file", "x.bin", _payload.Length, Hash), dir);
        Assert.Equal(_payload, File.ReadAllBytes(Path.Combine(dir, "x.bin")));
        Assert.False(r.Resumed);
        Assert.False(File.Exists(Path.Combine(dir, "x.bin.part")));
        // A second call finds the verified file and does not download again.
        Assert.True((await new Downloader(http).FetchAsync(new DownloadItem("x", _prefix + "file", "x.bin", _payload.Length, Hash), dir)).Skipped);
    }

    [Fact]
    public async Task Resumes_an_interrupted_download_with_a_range_request()
    {
        var dir = Paths.NewTempDir();
        File.WriteAllBytes(Path.Combine(dir, "x.bin.part"), _payload[..70_000]);
        using var http = new HttpClient();
        var r = await new Downloader(http).FetchAsync(new DownloadItem("x", _prefix + "file", "x.bin", _payload.Length, Hash), dir);
        Assert.True(r.Resumed);
        Assert.Equal(1, _rangeRequests);
        Assert.Equal(_payload, File.ReadAllBytes(r.Path));
    }

    [Fact]
    public async Task A_server_that_ignores_ranges_restarts_from_zero()
    {
        _ignoreRange = true;
        var dir = Paths.NewTempDir();
        File.WriteAllBytes(Path.Combine(dir, "x.bin.part"), new byte[5000]);
        using var http = new HttpClient();
        var r = await new Downloader(http).FetchAsync(new DownloadItem("x", _prefix + "file", "x.bin", null, Hash), dir);
        Assert.False(r.Resumed);
        Assert.Equal(_payload, File.ReadAllBytes(r.Path));
    }

    [Fact]
    public async Task Hash_mismatch_deletes_the_download_and_says_so()
    {
        var dir = Paths.NewTempDir();
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<DaFormerError>(() => new Downloader(http).FetchAsync(new DownloadItem("x", _prefix + "file", "x.bin", null, new string('0', 64)), dir));
        Assert.Contains("SHA-256 mismatch", e.Message);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task Offline_gives_a_clear_message_with_the_manual_route()
    {
        var port = _listener.Prefixes.First().Split(':')[2].TrimEnd('/');
        _listener.Close(); // nothing listens on the port any more
        var dir = Paths.NewTempDir();
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<DaFormerError>(() => new Downloader(http).FetchAsync(new DownloadItem("x", $"http://127.0.0.1:{port}/file", "x.bin"), dir));
        Assert.Contains("offline", e.Message);
        Assert.Contains("x.bin", e.Message);
    }
}
