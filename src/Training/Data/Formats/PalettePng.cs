using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DaFormer.Model;

namespace DaFormer.Training.Data.Formats;

/// Reads the palette INDICES of an indexed (colour type 3) PNG — GTA5 stores Cityscapes label IDs as
/// palette indices, and ImageSharp 2.1 would hand back colours/luminance instead. 8-bit grey PNGs are
/// accepted too (their values are returned as they are). Also writes indexed PNGs (for tests and the
/// synthetic data set, which mimics the GTA layout).
public static class PalettePng
{
    static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public static LabelMap ReadIndices(string path)
    {
        if (!File.Exists(path)) throw new DaFormerError($"{path}: file not found.");
        var bytes = File.ReadAllBytes(path);
        try { return Decode(bytes, path); }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidDataException or EndOfStreamException)
        {
            throw new DaFormerError($"{path}: corrupt PNG ({e.Message}). Expected an 8-bit indexed or grey PNG label.");
        }
    }

    static LabelMap Decode(byte[] b, string path)
    {
        if (b.Length < 8 || !b.AsSpan(0, 8).SequenceEqual(Signature)) throw new DaFormerError($"{path}: not a PNG file.");
        int pos = 8, width = 0, height = 0, depth = 0, colorType = -1, interlace = 0;
        using var idat = new MemoryStream();
        while (pos + 8 <= b.Length)
        {
            var len = (int)BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(pos));
            var type = Encoding.ASCII.GetString(b, pos + 4, 4);
            if (pos + 12 + len > b.Length) throw new InvalidDataException($"chunk {type} is truncated");
            var data = b.AsSpan(pos + 8, len);
            switch (type)
            {
                case "IHDR":
                    width = (int)BinaryPrimitives.ReadUInt32BigEndian(data);
                    height = (int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
                    depth = data[8]; colorType = data[9]; interlace = data[12];
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
            }
            pos += 12 + len;
            if (type == "IEND") break;
        }
        if (width == 0 && height == 0) throw new InvalidDataException("no IHDR chunk");
        ImageIo.CheckBudget(path, width, height);
        if (colorType is not (0 or 3))
            throw new DaFormerError($"{path}: PNG colour type {colorType} is not an indexed (3) or grey (0) label image.");
        if (depth is not (1 or 2 or 4 or 8)) throw new DaFormerError($"{path}: PNG bit depth {depth} is not supported for labels (expected ≤ 8).");
        if (interlace != 0) throw new DaFormerError($"{path}: interlaced PNG labels are not supported; re-save without interlacing.");
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var stride = (width * depth + 7) / 8;
        var raw = new byte[(stride + 1) * height];
        z.ReadExactly(raw);
        var prev = new byte[stride];
        var cur = new byte[stride];
        var values = new byte[width * height];
        var bpp = 1; // filter unit for ≤ 8-bit single-channel images
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            Array.Copy(raw, y * (stride + 1) + 1, cur, 0, stride);
            Unfilter(filter, cur, prev, bpp);
            var row = y * width;
            if (depth == 8) Array.Copy(cur, 0, values, row, width);
            else
            {
                var perByte = 8 / depth;
                var mask = (1 << depth) - 1;
                for (var x = 0; x < width; x++)
                    values[row + x] = (byte)((cur[x / perByte] >> (8 - depth * (x % perByte + 1))) & mask);
            }
            (prev, cur) = (cur, prev);
        }
        return new LabelMap(width, height, values);
    }

    static void Unfilter(byte filter, byte[] cur, byte[] prev, int bpp)
    {
        switch (filter)
        {
            case 0: return;
            case 1: for (var i = bpp; i < cur.Length; i++) cur[i] += cur[i - bpp]; return;
            case 2: for (var i = 0; i < cur.Length; i++) cur[i] += prev[i]; return;
            case 3:
                for (var i = 0; i < cur.Length; i++)
                    cur[i] += (byte)(((i >= bpp ? cur[i - bpp] : 0) + prev[i]) / 2);
                return;
            case 4:
                for (var i = 0; i < cur.Length; i++)
                {
                    int a = i >= bpp ? cur[i - bpp] : 0, up = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                    int p = a + up - c, pa = Math.Abs(p - a), pb = Math.Abs(p - up), pc = Math.Abs(p - c);
                    cur[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? up : c);
                }
                return;
            default: throw new InvalidDataException($"unknown PNG row filter {filter}");
        }
    }

    /// Writes an 8-bit indexed PNG (atomically). `palette` gives the colour of each index (≤ 256 entries).
    public static void Write(string path, LabelMap indices, IReadOnlyList<(byte R, byte G, byte B)> palette)
    {
        if (palette.Count is 0 or > 256) throw new ArgumentException($"palette must have 1…256 entries, got {palette.Count}");
        using var ms = new MemoryStream();
        ms.Write(Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)indices.Width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)indices.Height);
        ihdr[8] = 8; ihdr[9] = 3;
        WriteChunk(ms, "IHDR", ihdr);
        var plte = new byte[palette.Count * 3];
        for (var i = 0; i < palette.Count; i++) { plte[3 * i] = palette[i].R; plte[3 * i + 1] = palette[i].G; plte[3 * i + 2] = palette[i].B; }
        WriteChunk(ms, "PLTE", plte);
        using (var zdata = new MemoryStream())
        {
            using (var z = new ZLibStream(zdata, CompressionLevel.Fastest, leaveOpen: true))
                for (var y = 0; y < indices.Height; y++)
                {
                    z.WriteByte(0);
                    z.Write(indices.Values, y * indices.Width, indices.Width);
                }
            WriteChunk(ms, "IDAT", zdata.ToArray());
        }
        WriteChunk(ms, "IEND", []);
        ImageIo.SaveAtomic(path, s => s.Write(ms.GetBuffer(), 0, (int)ms.Length));
    }

    static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)data.Length);
        s.Write(len);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        var crc = Crc32(typeBytes, data);
        BinaryPrimitives.WriteUInt32BigEndian(len, crc);
        s.Write(len);
    }

    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    static uint Crc32(byte[] a, byte[] b)
    {
        var c = 0xFFFFFFFFu;
        foreach (var x in a) c = CrcTable[(c ^ x) & 0xFF] ^ (c >> 8);
        foreach (var x in b) c = CrcTable[(c ^ x) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
