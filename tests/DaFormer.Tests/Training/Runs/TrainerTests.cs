using DaFormer.Tests.Support;
using DaFormer.Training.Runs;

namespace DaFormer.Tests.Training.Runs;

[Collection(SerialCollection.Name)]
public class TrainerTests
{
    [Fact]
    public void An_interrupted_and_resumed_run_repeats_the_uninterrupted_losses()
    {
        var config = TinyRun.Config(iters: 6);
        var straight = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("work")));
        Assert.Equal(RunStatus.Completed, straight.Status);

        // Second run: cancelled after iteration 2 (as Ctrl-C does), then resumed from its checkpoint.
        using var cts = new CancellationTokenSource();
        var work = Paths.NewTempDir("work");
        var first = Trainer.Run(config, TinyRun.Request(work, new CallbackObserver(s => { if (s.Iteration == 2) cts.Cancel(); }), cancel: cts.Token));
        Assert.Equal(RunStatus.Interrupted, first.Status);
        Assert.True(File.Exists(Path.Combine(first.RunDir, RunDirectory.LatestCheckpoint)));
        var resumed = Trainer.Run(config, TinyRun.Request(work, resume: true, resumeDir: first.RunDir));
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal(first.RunDir, resumed.RunDir);

        var a = TinyRun.Losses(straight.RunDir);
        var b = TinyRun.Losses(resumed.RunDir);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), b.Keys.Order());
        foreach (var i in new long[] { 4, 5, 6 })
        {
            Assert.Equal(a[i].Src, b[i].Src, 4);
            Assert.Equal(a[i].Mix, b[i].Mix, 4);
        }
    }

    [Fact]
    public void A_completed_run_leaves_config_log_checkpoint_and_an_evaluation()
    {
        var config = TinyRun.Config(iters: 2);
        config = config with { Runtime = config.Runtime with { DebugImageInterval = 2 } };
        var outcome = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("work")));
        Assert.Equal(RunStatus.Completed, outcome.Status);
        foreach (var f in new[] { "config.json", "log.jsonl", RunDirectory.LatestCheckpoint })
            Assert.True(File.Exists(Path.Combine(outcome.RunDir, f)), f);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(outcome.RunDir, "tensorboard"), "*", SearchOption.AllDirectories));
        // Debug grid: a title strip, then batch 2 rows × 7 columns of 32×32 tiles with 2-pixel gaps.
        var grid = SixLabors.ImageSharp.Image.Identify(Path.Combine(outcome.RunDir, "debug", "000002.png"));
        Assert.Equal((7 * 34, DaFormer.Training.Uda.DebugImages.TitleHeight + 2 * 34), (grid.Width, grid.Height));
        var val = JsonlLog.Read(Path.Combine(outcome.RunDir, "log.jsonl")).Single(r => r.GetProperty("mode").GetString() == "val");
        // One unit everywhere: the log, the outcome (and so the summary) hold the same percentage.
        Assert.Equal("%", val.GetProperty("unit").GetString());
        Assert.InRange(val.GetProperty("mIoU").GetDouble(), 0, 100);
        Assert.Equal(val.GetProperty("mIoU").GetDouble(), outcome.FinalMIoUPercent!.Value, 9);
        Assert.Equal(2, val.GetProperty("iter").GetInt64());
    }
}

[Collection(SerialCollection.Name)]
public class TrainerLogTests
{
    [Fact]
    public void Train_and_val_records_count_iterations_alike_and_every_train_record_has_the_fd_term()
    {
        var c = TinyRun.Config(iters: 3);
        c = c with
        {
            Model = c.Model with { Pretrained = Path.Combine(Paths.ParityDir, "mit_b0_imagenet.pth") },
            Uda = c.Uda with { FeatureDistance = DaFormer.Training.Config.FeatureDistance.Things },
        };
        var outcome = Trainer.Run(c, TinyRun.Request(Paths.NewTempDir("work")));
        Assert.Equal(RunStatus.Completed, outcome.Status);
        var records = JsonlLog.Read(Path.Combine(outcome.RunDir, "log.jsonl"));
        var train = records.Where(r => r.GetProperty("mode").GetString() == "train").ToList();
        Assert.Equal([1L, 2L, 3L], train.Select(r => r.GetProperty("iter").GetInt64()));
        Assert.Equal(3, records.Single(r => r.GetProperty("mode").GetString() == "val").GetProperty("iter").GetInt64());
        // With 32² crops the last MiT stage has one cell, rarely ≥ 75 % one thing class: the term is then 0, never missing.
        Assert.All(train, r => Assert.InRange(r.GetProperty("src.loss_imnet_feat_dist").GetDouble(), 0, 1e3));
        Assert.All(train, r => Assert.Equal(["backbone", "backbone_no_decay", "head"], r.GetProperty("lr").EnumerateObject().Select(p => p.Name)));

        // The same scalars in TensorBoard, including per-class IoU, step time and memory.
        var events = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(Assert.Single(Directory.GetFiles(Path.Combine(outcome.RunDir, "tensorboard")))));
        foreach (var tag in new[] { "train/src.loss_imnet_feat_dist", "train/mix.decode.loss_seg", "lr/head", "val/mIoU", "val/IoU.road", "time/step_s", "memory/rss_mb" })
            Assert.Contains(tag, events);
    }

    [Fact]
    public void An_interrupted_run_reports_its_last_mIoU_in_the_same_percent_as_the_log()
    {
        var c = TinyRun.Config(iters: 3);
        c = c with { Runtime = c.Runtime with { EvalInterval = 2 } };
        using var cts = new CancellationTokenSource();
        var outcome = Trainer.Run(c, TinyRun.Request(Paths.NewTempDir("work"), new CallbackObserver(s => { if (s.Iteration == 1) cts.Cancel(); }), cancel: cts.Token));
        Assert.Equal(RunStatus.Interrupted, outcome.Status);
        var val = JsonlLog.Read(Path.Combine(outcome.RunDir, "log.jsonl")).Single(r => r.GetProperty("mode").GetString() == "val");
        Assert.Equal(2, val.GetProperty("iter").GetInt64());
        Assert.Equal(val.GetProperty("mIoU").GetDouble(), outcome.FinalMIoUPercent!.Value, 9);
    }
}

[Collection(SerialCollection.Name)]
public class TrainerLeakTests
{
    [Fact]
    public void Five_hundred_dacs_iterations_keep_live_tensors_flat_and_rss_within_five_percent()
    {
        var stats = TorchSharp.DisposeScopeManager.Statistics;
        long live100 = 0, live500 = 0;
        double rss100 = 0, rss500 = 0;
        var observer = new CallbackObserver(s =>
        {
            if (s.Iteration == 99) { live100 = stats.ThreadTotalLiveCount; rss100 = DaFormer.Model.Runtime.ProcessMemory.RssMb(); }
            if (s.Iteration == 499) { live500 = stats.ThreadTotalLiveCount; rss500 = DaFormer.Model.Runtime.ProcessMemory.RssMb(); }
        });
        var config = TinyRun.Config(iters: 500);
        config = config with { Runtime = config.Runtime with { LogInterval = 50 } };
        var outcome = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("work"), observer));
        Assert.Equal(RunStatus.Completed, outcome.Status);
        Assert.Equal(live100, live500);
        Assert.InRange(rss500, 0, rss100 * 1.05);
    }
}
