using System.Collections;
using TorchSharp.PyBridge;

namespace DaFormer.Model.Checkpoints;

/// Reading and writing files in PyTorch's `torch.save` zip format (PyTorch ≥ 1.6) through
/// TorchSharp.PyBridge, with errors that say what the file is and how to fix it.
public static class PyTorchFile
{
    // Legacy (pre-1.6) torch.save files start with a pickled magic number rather than a zip header.
    static readonly byte[] ZipMagic = [(byte)'P', (byte)'K', 3, 4];

    /// Unpickles a PyTorch file into nested dictionaries (tensors, numbers, strings, lists).
    public static IDictionary Read(string path)
    {
        if (Directory.Exists(path)) throw new DaFormerError($"{path}: is a directory; expected a PyTorch checkpoint file (.pth).");
        if (!File.Exists(path)) throw new DaFormerError($"{path}: file not found.");
        var head = new byte[8];
        int n;
        using (var f = File.OpenRead(path)) n = f.Read(head, 0, head.Length);
        if (n == 0) throw new DaFormerError($"{path}: the file is empty; expected a PyTorch checkpoint. Re-download or re-save it.");
        if (n < 4 || !head.AsSpan(0, 4).SequenceEqual(ZipMagic))
        {
            if (head[0] == 0x80 && n >= 2 && head[1] <= 5)
                throw new DaFormerError(
                    $"{path}: this is a legacy (pre-zip, PyTorch < 1.6) checkpoint, which cannot be read here. Convert it once with " +
                    "PyTorch: `import torch; torch.save(torch.load('OLD.pth', map_location='cpu', weights_only=True), 'NEW.pth')` (PyTorch ≥ 1.6 writes the zip format), then pass NEW.pth. " +
                    "Keep weights_only=True: without it torch.load runs whatever code the file's pickle contains, so never drop it for a file you do not trust.");
            throw new DaFormerError($"{path}: not a PyTorch checkpoint (no zip header). Expected a file written by torch.save (PyTorch ≥ 1.6) " +
                                    "or a .safetensors file; it may be truncated or corrupt — re-download it.");
        }
        try
        {
            return PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is not DaFormerError)
        {
            throw new DaFormerError($"{path}: the PyTorch checkpoint is corrupt or uses an unsupported construct ({First(e.Message)}). " +
                                    "Re-download it, or re-save it in PyTorch as a plain dict of tensors.", e);
        }
    }

    /// Writes a (possibly nested) dictionary in torch.save's zip format, atomically (temp + rename),
    /// so PyTorch can `torch.load` it and a crash never leaves a half-written checkpoint.
    public static void Write(string path, IDictionary content)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var s = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                PyTorchPickler.PickleStateDict(s, content, leaveOpen: true);
                s.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    static string First(string message) => message.Split('\n')[0].Trim();
}
