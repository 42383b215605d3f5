using DaFormer.Model.Checkpoints;
using DaFormer.Model.Segmentors;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Runs;

namespace DaFormer.Tests.Training.Runs;

/// `daformer run` on an HRDA config (Model.Hrda set): the tiny synthetic run of <see cref="TinyRun"/>
/// with its 64×32 images resized to 128×64, 64×64 training crops, a 32×32 detail crop and the context
/// view at scale 0.5 (32×32: the smallest view MiT's stage-1 attention reduction, 8×8, accepts).
[Collection(SerialCollection.Name)]
public class HrdaRunTests
{
    static RunConfig Hrda(RunConfig c, double lrLossWeight = 0) => c with
    {
        Model = c.Model with { Hrda = new HrdaConfig { DetailCrop = new(32, 32), AttentionEmbedDim = 8, LrLossWeight = lrLossWeight } },
        Data = c.Data with
        {
            Source = c.Data.Source with { Scale = new(128, 64) },
            Target = c.Data.Target with { Scale = new(128, 64) },
            Validation = c.Data.Validation with { Scale = new(128, 64) },
            Crop = new(64, 64),
        },
    };

    static Dictionary<string, double> LastTrainRecord(string runDir) =>
        TinyRun.LossTerms(runDir).OrderBy(kv => kv.Key).Last().Value;

    [Fact]
    public void An_HRDA_DACS_run_with_feature_distance_logs_the_detail_losses_and_writes_an_HRDA_checkpoint()
    {
        var tiny = TinyRun.Config(iters: 2);
        var config = Hrda(tiny with { Uda = tiny.Uda with { FeatureDistance = FeatureDistance.Things } }, lrLossWeight: 0.1);
        var outcome = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("work")));
        Assert.True(outcome.Status == RunStatus.Completed, outcome.Message);

        var logs = LastTrainRecord(outcome.RunDir);
        foreach (var key in new[] { "decode.loss_seg", "decode.hr.loss_seg", "decode.lr.loss_seg", "decode.acc_seg", "decode.hr.acc_seg",
                                    "mix.decode.loss_seg", "mix.decode.hr.loss_seg", "mix.decode.lr.loss_seg" })
        {
            Assert.True(logs.ContainsKey(key), $"{key} missing; logged: {string.Join(", ", logs.Keys)}");
            Assert.True(double.IsFinite(logs[key]), key);
        }
        // Every loss term is already weighted: the HR term is λ_d = 0.1 × a cross-entropy over 19
        // classes near ln 19 at initialisation, the fused term (1 − 0.2) × one.
        Assert.InRange(logs["decode.hr.loss_seg"], 0.01, 0.1 * 5);
        Assert.True(logs["decode.loss_seg"] > logs["decode.hr.loss_seg"]);

        var checkpoint = Path.Combine(outcome.RunDir, RunDirectory.LatestCheckpoint);
        using (var contents = CheckpointReader.Read(checkpoint))
        {
            Assert.Contains(contents.Tensors.Keys, k => k.StartsWith("model.decode_head.scale_attention.", StringComparison.Ordinal));
            Assert.Contains(contents.Tensors.Keys, k => k.StartsWith("ema_model.decode_head.scale_attention.", StringComparison.Ordinal));
            Assert.Contains(contents.Tensors.Keys, k => k.StartsWith("imnet_model.decode_head.scale_attention.", StringComparison.Ordinal));
            // What `checkpoint inspect` reports: the file fits HRDA around MiT-b0 + DAFormer head.
            var guess = ArchitectureGuess.Segmentor(contents);
            Assert.Equal(8, guess.Hrda!.AttentionEmbedDim);
            Assert.Equal("mit_b0", guess.Spec!.Encoder);
            Assert.Equal(16, guess.Spec.Channels);
        }
        using var model = SegmentorLoading.Build(checkpoint);
        Assert.IsType<HrdaSegmentor>(model);
        // The weights name the attention head's width; the detail crop is a setting, not a weight.
        Assert.Equal(8, model.Hrda!.AttentionEmbedDim);
    }

    [Fact]
    public void An_interrupted_HRDA_run_resumes_with_the_losses_of_the_uninterrupted_run()
    {
        var config = Hrda(TinyRun.Config(iters: 3));
        var straight = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("work")));
        Assert.True(straight.Status == RunStatus.Completed, straight.Message);

        using var cts = new CancellationTokenSource();
        var work = Paths.NewTempDir("work");
        var first = Trainer.Run(config, TinyRun.Request(work, new CallbackObserver(s => { if (s.Iteration == 1) cts.Cancel(); }), cancel: cts.Token));
        Assert.Equal(RunStatus.Interrupted, first.Status);
        var resumed = Trainer.Run(config, TinyRun.Request(work, resume: true, resumeDir: first.RunDir));
        Assert.True(resumed.Status == RunStatus.Completed, resumed.Message);

        var a = TinyRun.LossTerms(straight.RunDir);
        var b = TinyRun.LossTerms(resumed.RunDir);
        foreach (var i in new long[] { 3 })
            foreach (var key in new[] { "decode.loss_seg", "decode.hr.loss_seg", "mix.decode.loss_seg", "mix.decode.hr.loss_seg" })
                Assert.Equal(a[i][key], b[i][key], 4);
    }

    [Theory]
    [InlineData(UdaMode.SourceOnly)]
    [InlineData(UdaMode.TargetOnly)]
    public void A_supervised_HRDA_run_trains_with_the_detail_loss(UdaMode mode)
    {
        var outcome = Trainer.Run(Hrda(TinyRun.Config(iters: 1, mode)), TinyRun.Request(Paths.NewTempDir("work")));
        Assert.True(outcome.Status == RunStatus.Completed, outcome.Message);
        var logs = LastTrainRecord(outcome.RunDir);
        Assert.Contains("decode.hr.loss_seg", logs.Keys);
        Assert.DoesNotContain("mix.decode.loss_seg", logs.Keys);
    }

    [Fact]
    public void An_HRDA_MIC_run_logs_the_masked_detail_loss()
    {
        var tiny = TinyRun.Config(iters: 1);
        var config = Hrda(tiny with { Uda = tiny.Uda with { Mic = new MicConfig { BlockSize = 16 } } });
        var outcome = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("work")));
        Assert.True(outcome.Status == RunStatus.Completed, outcome.Message);
        var logs = LastTrainRecord(outcome.RunDir);
        Assert.Contains("masked.decode.loss_seg", logs.Keys);
        Assert.Contains("masked.decode.hr.loss_seg", logs.Keys);
    }
}
