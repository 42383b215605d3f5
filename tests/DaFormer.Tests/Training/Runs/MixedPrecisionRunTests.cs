using System.Collections;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Model.Runtime;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Runs;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Runs;

/// `Runtime.Precision = bf16` runs (tiny DACS config): they train, their first loss is the float32
/// run's within bf16 tolerance (same weights and batch; see MixedPrecisionTrainingTests), their
/// checkpoints hold only float32 tensors, and checkpoints move between fp32 and bf16 runs both ways.
[Collection(SerialCollection.Name)]
public class MixedPrecisionRunTests
{
    static RunConfig WithPrecision(RunConfig c, Precision p, int? iters = null) => c with
    {
        Runtime = c.Runtime with { Precision = p },
        Schedule = iters is { } n ? c.Schedule with { MaxIters = n } : c.Schedule,
    };

    [Fact]
    public void A_bf16_dacs_run_trains_from_the_fp32_first_loss_and_writes_float32_checkpoints_that_resume_in_fp32()
    {
        var fp32 = Trainer.Run(TinyRun.Config(iters: 2), TinyRun.Request(Paths.NewTempDir("work")));
        var work = Paths.NewTempDir("work");
        var bf16 = Trainer.Run(WithPrecision(TinyRun.Config(iters: 2), Precision.Bf16), TinyRun.Request(work));
        Assert.Equal(RunStatus.Completed, fp32.Status);
        Assert.Equal(RunStatus.Completed, bf16.Status);

        var a = TinyRun.LossTerms(fp32.RunDir);
        var b = TinyRun.LossTerms(bf16.RunDir);
        foreach (var record in b.Values) Assert.All(record.Values, v => Assert.True(double.IsFinite(v)));
        // Iteration 1: the same initial weights and source batch; only the arithmetic differs.
        Assert.True(Math.Abs(b[1]["decode.loss_seg"] - a[1]["decode.loss_seg"]) <= 2e-3 * a[1]["decode.loss_seg"],
            $"source loss fp32 {a[1]["decode.loss_seg"]} bf16 {b[1]["decode.loss_seg"]}");
        Assert.False(b[1].ContainsKey("loss_scale")); // no loss scaling in bf16

        var checkpoint = Path.Combine(bf16.RunDir, RunDirectory.LatestCheckpoint);
        var dtypes = FloatingDtypes(PyTorchFile.Read(checkpoint)).ToList();
        Assert.True(dtypes.Count > 3 * 200, $"{dtypes.Count} tensors"); // student, EMA teacher, ImageNet copy, AdamW moments
        Assert.All(dtypes, d => Assert.Equal(ScalarType.Float32, d));

        // The student of a bf16 run loads into a float32 network as any checkpoint does (`daformer test`).
        using var model = SegmentorLoading.Build(checkpoint);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));

        // …and the run continues in fp32 (weights, EMA and AdamW state restored strictly).
        var resumed = Trainer.Run(WithPrecision(TinyRun.Config(iters: 2), Precision.Fp32, iters: 3),
            TinyRun.Request(work, resume: true, resumeDir: bf16.RunDir) with { AllowChanges = true });
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.True(TinyRun.LossTerms(resumed.RunDir).ContainsKey(3));
    }

    [Fact]
    public void An_fp32_checkpoint_resumes_in_bf16()
    {
        var work = Paths.NewTempDir("work");
        var fp32 = Trainer.Run(TinyRun.Config(iters: 2), TinyRun.Request(work));
        Assert.Equal(RunStatus.Completed, fp32.Status);
        var resumed = Trainer.Run(WithPrecision(TinyRun.Config(iters: 2), Precision.Bf16, iters: 3),
            TinyRun.Request(work, resume: true, resumeDir: fp32.RunDir) with { AllowChanges = true });
        Assert.Equal(RunStatus.Completed, resumed.Status);
        var terms = TinyRun.LossTerms(resumed.RunDir);
        Assert.All(terms[3].Values, v => Assert.True(double.IsFinite(v)));
        Assert.All(FloatingDtypes(PyTorchFile.Read(Path.Combine(resumed.RunDir, RunDirectory.LatestCheckpoint))),
                   d => Assert.Equal(ScalarType.Float32, d));
    }

    [Fact]
    public void A_bf16_hrda_run_trains()
    {
        // HrdaRunTests' tiny HRDA: 128×64 images, 64×64 crops, 32×32 detail crop, context at scale 0.5.
        var c = TinyRun.Config(iters: 2);
        c = c with
        {
            Model = c.Model with { Hrda = new HrdaConfig { DetailCrop = new(32, 32), AttentionEmbedDim = 8 } },
            Data = c.Data with
            {
                Source = c.Data.Source with { Scale = new(128, 64) },
                Target = c.Data.Target with { Scale = new(128, 64) },
                Validation = c.Data.Validation with { Scale = new(128, 64) },
                Crop = new(64, 64),
            },
        };
        var outcome = Trainer.Run(WithPrecision(c, Precision.Bf16), TinyRun.Request(Paths.NewTempDir("work")));
        Assert.Equal(RunStatus.Completed, outcome.Status);
        var terms = TinyRun.LossTerms(outcome.RunDir);
        Assert.Contains("decode.hr.loss_seg", terms[1].Keys);
        Assert.All(terms[2].Values, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Fp16_and_uncovered_networks_are_refused_before_a_run_directory_is_made()
    {
        var work = Paths.NewTempDir("work");
        var fp16 = Assert.Throws<DaFormerError>(() => Trainer.Run(WithPrecision(TinyRun.Config(iters: 1), Precision.Fp16), TinyRun.Request(work)));
        Assert.Contains("fp16 needs a CUDA device", fp16.Message);
        var c = TinyRun.Config(iters: 1);
        c = c with { Model = c.Model with { Encoder = Encoder.R101V1c, Decoder = Decoder.Dlv2 } };
        var resnet = Assert.Throws<DaFormerError>(() => Trainer.Run(WithPrecision(c, Precision.Bf16), TinyRun.Request(work)));
        Assert.Contains("mixed-precision training covers the MiT encoders", resnet.Message);
        Assert.Empty(Directory.GetFileSystemEntries(work));
    }

    static IEnumerable<ScalarType> FloatingDtypes(object? node)
    {
        switch (node)
        {
            case Tensor t:
                if (t.is_floating_point()) yield return t.dtype;
                break;
            case IDictionary d:
                foreach (DictionaryEntry e in d) foreach (var x in FloatingDtypes(e.Value)) yield return x;
                break;
            case IEnumerable list and not string:
                foreach (var item in list) foreach (var x in FloatingDtypes(item)) yield return x;
                break;
        }
    }
}
