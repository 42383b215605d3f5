using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// MSBuild inline task: marks one GNU version requirement (vernaux entry) of an ELF64 shared library
// as weak, so the dynamic loader accepts a system libstdc++ that lacks that symbol version.
public class PatchGlibcxxRequirement : Task
{
    [Required] public string Source { get; set; }
    [Required] public string Destination { get; set; }
    [Required] public string Version { get; set; }
    [Output] public bool Patched { get; set; }

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
    };

    public override bool Execute()
    {
        if (SystemProvides(Version)) { Patched = false; return true; }
        var bytes = File.ReadAllBytes(Source);
        int changed = MarkWeak(bytes, Version);
        if (changed < 0) { Log.LogMessage(MessageImportance.High, "libLibTorchSharp.so: no ELF version section; left as is."); return true; }
        Directory.CreateDirectory(Path.GetDirectoryName(Destination));
        var tmp = Destination + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        if (File.Exists(Destination)) File.Delete(Destination);
        File.Move(tmp, Destination);
        Log.LogMessage(MessageImportance.High, $"libLibTorchSharp.so: system libstdc++ lacks {Version}; marked {changed} requirement(s) weak in {Destination}");
        Patched = true;
        return true;
    }

    static bool SystemProvides(string version)
    {
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (var path in LibStdCxxCandidates)
        {
            if (!File.Exists(path)) continue;
            var data = File.ReadAllBytes(path);
            if (IndexOf(data, needle) >= 0) return true;
            return false; // the first libstdc++ found is the one the loader uses
        }
        return false;
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    // Returns the number of vernaux entries changed, or -1 if the file has no .gnu.version_r.
    static int MarkWeak(byte[] b, string version)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[4] != 2 || b[5] != 1) return -1;
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        const uint SHT_GNU_verneed = 0x6ffffffe;
        int changed = -1;
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(b, (int)sh + 4) != SHT_GNU_verneed) continue;
            long off = BitConverter.ToInt64(b, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(b, (int)sh + 0x28);
            long strOff = BitConverter.ToInt64(b, (int)(shoff + (long)link * shentsize) + 0x18);
            changed = 0;
            long vn = off;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                for (int k = 0; k < cnt; k++)
                {
                    uint name = BitConverter.ToUInt32(b, (int)aux + 8);
                    if (ReadCString(b, strOff + name) == version)
                    {
                        ushort flags = BitConverter.ToUInt16(b, (int)aux + 4);
                        flags |= 0x2; // VER_FLG_WEAK
                        b[aux + 4] = (byte)(flags & 0xff); b[aux + 5] = (byte)(flags >> 8);
                        changed++;
                    }
                    uint nextAux = BitConverter.ToUInt32(b, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BitConverter.ToUInt32(b, (int)vn + 12);
                if (next == 0) break;
                vn += next;
            }
        }
        return changed;
    }

    static string ReadCString(byte[] b, long at)
    {
        int end = (int)at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }
}
