using System.Buffers.Binary;
using System.Text;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Runs;

namespace DaFormer.Tests.Training.Runs;

/// The pure and file-level pieces of run bookkeeping: directory claims, config differences,
/// TensorBoard event files.
public class RunBookkeepingTests
{
    [Fact]
    public void A_claimed_directory_is_never_handed_out_twice()
    {
        var root = Paths.NewTempDir("dfclaim");
        var (a, lockA) = RunDirectory.ClaimNew(root, "261201_0900_x_abcde");
        var (b, lockB) = RunDirectory.ClaimNew(root, "261201_0900_x_abcde");  // a is held
        Assert.Equal(Path.Combine(root, "261201_0900_x_abcde"), a);
        Assert.Equal(a + "-2", b);
        Assert.Null(RunLock.TryAcquire(a));
        lockA.Dispose();
        lockB.Dispose();
        // Released but existing directories belong to their finished runs: a new run still gets a new one.
        var (c, lockC) = RunDirectory.ClaimNew(root, "261201_0900_x_abcde");
        using (lockC) Assert.Equal(a + "-3", c);
        Assert.Equal("x", RunDirectory.RunNameOf(c));
    }

    [Fact]
    public void Config_differences_are_named_by_their_set_paths_and_legacy_fields_are_ignored()
    {
        var old = Presets.Gta2Cs;
        var changed = old with
        {
            Optimizer = old.Optimizer with { Lr = 1e-3 },
            Data = old.Data with { Rcs = null },
        };
        var diff = ConfigDiff.Between(ConfigJson.Serialize(old), ConfigJson.Serialize(changed));
        Assert.Equal(["Data.Rcs", "Optimizer.Lr"], diff.Select(d => d.Path).Order());
        var lr = diff.Single(d => d.Path == "Optimizer.Lr");
        Assert.Equal(("6E-05", "0.001"), (lr.Old, lr.New));
        Assert.Equal("null", diff.Single(d => d.Path == "Data.Rcs").New);

        // A config.json of an older run still holds device and work dir: not a difference.
        var legacy = ConfigJson.Serialize(old).Replace("\"seed\": 0,", "\"seed\": 0, \"device\": \"cpu\", \"workDirRoot\": \"runs\",");
        Assert.Contains("workDirRoot", legacy);
        Assert.Empty(ConfigDiff.Between(legacy, ConfigJson.Serialize(old)));
        Assert.Equal(old, ConfigJson.Deserialize(legacy));
    }

    [Fact]
    public void Crc32c_matches_the_castagnoli_check_value()
    {
        // The standard check value of CRC-32C over the ASCII digits "123456789".
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void Every_tensorboard_event_has_a_unix_wall_time_and_valid_framing()
    {
        var dir = Paths.NewTempDir("dftb");
        var t = 1_764_579_600.25; // 2025-12-01 09:00:00.25 UTC
        using (var tb = new TensorBoardLog(dir, () => t))
        {
            tb.Scalar("val/IoU.road", 12.5, 250);
            t += 1;
            tb.Scalar("memory/rss_mb", 2048, 251);
        }
        var events = ReadEvents(File.ReadAllBytes(Assert.Single(Directory.GetFiles(dir))));
        Assert.Equal(3, events.Count);
        Assert.Equal([1_764_579_600.25, 1_764_579_600.25, 1_764_579_601.25], events.Select(e => e.WallTime));
        Assert.Contains("brain.Event:2", Encoding.UTF8.GetString(events[0].Payload));
        Assert.Equal([0L, 250L, 251L], events.Select(e => e.Step));
        Assert.Contains("val/IoU.road", Encoding.UTF8.GetString(events[1].Payload));
        Assert.Equal(12.5f, BinaryPrimitives.ReadSingleLittleEndian(events[1].Payload.AsSpan(events[1].Payload.Length - 4)));
    }

    /// An independent reader of the TFRecord framing and the first Event fields (wall_time = 1, step = 2).
    static List<(double WallTime, long Step, byte[] Payload)> ReadEvents(byte[] file)
    {
        var list = new List<(double, long, byte[])>();
        for (var i = 0; i < file.Length;)
        {
            var len = (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(i));
            Assert.Equal(Crc32C.Masked(file.AsSpan(i, 8)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(i + 8)));
            var data = file.AsSpan(i + 12, len);
            Assert.Equal(Crc32C.Masked(data), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(i + 12 + len)));
            Assert.Equal(0x09, data[0]);
            var wall = BinaryPrimitives.ReadDoubleLittleEndian(data[1..]);
            var p = 9;
            long step = 0;
            if (data[p] == 0x10)
            {
                p++;
                for (var shift = 0; ; shift += 7) { var b = data[p++]; step |= (long)(b & 0x7F) << shift; if (b < 0x80) break; }
            }
            list.Add((wall, step, data[p..].ToArray()));
            i += 16 + len;
        }
        return list;
    }
}
