using System.Buffers.Binary;
using System.Text;

namespace DaFormer.Training.Runs;

/// Scalars in TensorBoard's event-file format (`events.out.tfevents.<time>.<host>.<pid>`), written
/// directly: TFRecord framing (length, masked CRC-32C, payload, masked CRC-32C) around hand-encoded
/// `Event` protobufs. Every event — the `brain.Event:2` header included — carries its wall time in
/// Unix seconds, as TensorFlow and PyTorch write it (TorchSharp's writer stamped its first event in
/// .NET ticks). Each event is flushed, so a killed run keeps what it logged.
public sealed class TensorBoardLog : IDisposable
{
    readonly FileStream _file;
    readonly Func<double> _clock;

    public string FilePath { get; }

    /// <param name="folder">Folder the event file is created in (made if missing).</param>
    /// <param name="clock">Wall time in Unix seconds (tests pass a fixed clock).</param>
    public TensorBoardLog(string folder, Func<double>? clock = null)
    {
        _clock = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        Directory.CreateDirectory(folder);
        var now = _clock();
        // A resumed run adds a new file; TensorBoard merges all files of the folder by step.
        var k = 0;
        do FilePath = Path.Combine(folder, $"events.out.tfevents.{(long)now}.{Environment.MachineName}.{Environment.ProcessId}.{k++}");
        while (File.Exists(FilePath));
        _file = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        WriteRecord(Event(now, 0, fileVersion: "brain.Event:2"));
    }

    /// One scalar at `step` (the iteration count of the run, 1-based like log.jsonl).
    public void Scalar(string tag, double value, long step) =>
        WriteRecord(Event(_clock(), step, summary: SummaryValue(tag, (float)value)));

    public void Dispose() => _file.Dispose();

    void WriteRecord(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        _file.Write(header);
        _file.Write(data);
        _file.Write(footer);
        _file.Flush();
    }

    // Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
    static byte[] Event(double wallTime, long step, string? fileVersion = null, byte[]? summary = null)
    {
        using var m = new MemoryStream();
        m.WriteByte(0x09);
        Span<byte> d = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(d, wallTime);
        m.Write(d);
        if (step != 0) { m.WriteByte(0x10); Varint(m, (ulong)step); }
        if (fileVersion is not null) LengthDelimited(m, 0x1A, Encoding.UTF8.GetBytes(fileVersion));
        if (summary is not null) LengthDelimited(m, 0x2A, summary);
        return m.ToArray();
    }

    // Summary { repeated Value value = 1; }  Value { string tag = 1; float simple_value = 2; }
    static byte[] SummaryValue(string tag, float value)
    {
        using var v = new MemoryStream();
        LengthDelimited(v, 0x0A, Encoding.UTF8.GetBytes(tag));
        v.WriteByte(0x15);
        Span<byte> f = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(f, value);
        v.Write(f);
        using var s = new MemoryStream();
        LengthDelimited(s, 0x0A, v.ToArray());
        return s.ToArray();
    }

    static void LengthDelimited(Stream m, byte tag, byte[] payload)
    {
        m.WriteByte(tag);
        Varint(m, (ulong)payload.Length);
        m.Write(payload);
    }

    static void Varint(Stream m, ulong v)
    {
        while (v >= 0x80) { m.WriteByte((byte)(v | 0x80)); v >>= 7; }
        m.WriteByte((byte)v);
    }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and TFRecord's masking of it.
public static class Crc32C
{
    static readonly uint[] Table = Enumerable.Range(0, 256).Select(i =>
    {
        var c = (uint)i;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    /// TFRecord stores `((crc >> 15) | (crc << 17)) + 0xa282ead8` so that CRCs of CRCs stay useful.
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        var c = Compute(data);
        return unchecked(((c >> 15) | (c << 17)) + 0xa282ead8u);
    }
}
