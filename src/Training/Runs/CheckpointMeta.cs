using System.Collections;
using DaFormer.Training.Config;

namespace DaFormer.Training.Runs;

/// The `meta` dictionary of a training checkpoint, with the keys mmcv's `save_checkpoint` and
/// mmseg's `train_segmentor` put there (`CLASSES`, `PALETTE`, `mmcv_version`, `mmseg_version`,
/// `config`, `time`, `epoch`, `iter`, `seed`, `exp_name`) plus our own resume state (`batch`,
/// `run_name`, `daformer_net`). `iter` = iterations completed (mmcv's `runner.iter + 1` at save).
public static class CheckpointMeta
{
    /// The original's versions (DAFormer pins mmcv-full 1.3.7 and vendors mmsegmentation 0.16.0).
    /// Written so that tools which check `mmcv_version` / parse `mmseg_version` accept our files; the
    /// `+daformer.net` suffix says where the file really comes from (the original writes `+<git hash>`).
    public const string MmcvVersion = "1.3.7", MmsegVersion = "0.16.0+daformer.net";

    public static Dictionary<string, object> Of(RunConfig config, string configJson, long iterationsDone, long nextBatch, long seed,
                                                IReadOnlyList<string> classNames, IReadOnlyList<(byte R, byte G, byte B)> palette) =>
        new()
        {
            ["iter"] = iterationsDone,
            // IterBasedRunner counts epochs of its data loader; an iteration-based run stays in epoch 1.
            ["epoch"] = 1L,
            ["batch"] = nextBatch,
            ["seed"] = seed,
            ["run_name"] = config.Name,
            ["exp_name"] = config.Name,
            ["config"] = configJson,
            ["time"] = AscTime(DateTime.UtcNow),
            ["daformer_net"] = "1",
            ["mmcv_version"] = MmcvVersion,
            ["mmseg_version"] = MmsegVersion,
            // A tuple of names and a list of [R, G, B] lists, as mmseg's CityscapesDataset holds them.
            ["CLASSES"] = classNames.Cast<object>().ToArray(),
            ["PALETTE"] = new ArrayList(palette.Select(p => new ArrayList { (int)p.R, (int)p.G, (int)p.B }).ToArray()),
        };

    /// Python's `time.asctime()` ("Thu Jan  1 00:00:00 1970"), which mmcv writes as `time` (UTC here).
    public static string AscTime(DateTime t) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t:ddd MMM} {t.Day,2} {t:HH:mm:ss yyyy}");
}
