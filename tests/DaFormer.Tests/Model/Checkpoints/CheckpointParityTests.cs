using System.Collections;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Model.Network;
using DaFormer.Tests.Support;
using DaFormer.Training.Runs;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Checkpoints;

/// Parity of models loaded through SegmentorLoading from the released-checkpoint layouts of the
/// fixture (manifest "files"): the UDA training checkpoint's student and teacher, the ImageNet encoder
/// file, and checkpoints this implementation saves — all against the original's outputs (io.safetensors,
/// ema_io.safetensors) with the manifest tolerances, in eval mode.
public class CheckpointParityTests
{
    static string Fixture(string name) => Path.Combine(Paths.ParityDir, name);

    static Segmentor Fresh()
    {
        manual_seed(1); // the random initial weights must be overwritten by the checkpoint
        var model = Architectures.Build(ParityFixture.Spec);
        model.eval();
        return model;
    }

    /// The four encoder outputs, decode logits, upsampled logits and prediction of io.safetensors.
    static void AssertForwardMatchesReference(Segmentor model, Dictionary<string, Tensor> io)
    {
        using var _ = no_grad();
        var input = io["input"];
        var features = model.ExtractFeatures(input);
        for (var i = 0; i < 4; i++) TensorAssert.ForwardClose(features[i], io[$"backbone_out{i}"], $"backbone_out{i}");
        TensorAssert.ForwardClose(model.DecodeLogits(features), io["decode_logits"], "decode_logits");
        var upsampled = model.EncodeDecode(input);
        TensorAssert.ForwardClose(upsampled, io["seg_logits_upsampled"], "seg_logits_upsampled");
        TensorAssert.MostlyEqual(upsampled.argmax(1), io["seg_pred"], "seg_pred");
    }

    static Tensor TeacherDecodeLogits(Segmentor model, Tensor input)
    {
        using var _ = no_grad();
        return model.DecodeLogits(model.ExtractFeatures(input));
    }

    [Fact]
    public void Student_of_the_uda_checkpoint_reproduces_the_reference_forward()
    {
        using var scope = NewDisposeScope();
        using var model = Fresh();
        SegmentorLoading.LoadInto(model, Fixture("checkpoint_uda.pth"));
        AssertForwardMatchesReference(model, ParityFixture.Io());
    }

    [Fact]
    public void Model_built_from_what_the_checkpoint_fits_reproduces_the_reference_forward()
    {
        using var scope = NewDisposeScope();
        using var model = Assert.IsType<Segmentor>(SegmentorLoading.Build(Fixture("checkpoint_uda.pth")));
        Assert.Equal(ParityFixture.Spec, model.Spec);
        Assert.False(model.training);
        AssertForwardMatchesReference(model, ParityFixture.Io());
    }

    [Fact]
    public void Teacher_of_the_uda_checkpoint_reproduces_the_reference_ema_decode_logits()
    {
        using var scope = NewDisposeScope();
        using var model = Fresh();
        SegmentorLoading.LoadInto(model, Fixture("checkpoint_uda.pth"), WhichWeights.Teacher);
        var ema = Safetensors.Load(Fixture("ema_io.safetensors"));
        var logits = TeacherDecodeLogits(model, ParityFixture.Io()["input"]);
        TensorAssert.ForwardClose(logits, ema["ema_decode_logits"], "ema_decode_logits");
        // The teacher's head differs from the student's (manifest: +0.05 N noise), so this is not the student by accident.
        var (rel, _, _) = TensorAssert.Compare(logits, ParityFixture.Io()["decode_logits"]);
        Assert.True(rel > 1e-3, $"teacher logits equal the student's (relL2 {rel:E2})");
    }

    [Fact]
    public void Imagenet_encoder_file_reproduces_the_reference_encoder_outputs()
    {
        using var scope = NewDisposeScope();
        using var model = Fresh();
        SegmentorLoading.LoadEncoder(model, Fixture("mit_b0_imagenet.pth"));
        var io = ParityFixture.Io();
        using var _ = no_grad();
        var features = model.ExtractFeatures(io["input"]);
        for (var i = 0; i < 4; i++) TensorAssert.ForwardClose(features[i], io[$"backbone_out{i}"], $"backbone_out{i}");
    }

    [Fact]
    public void Training_checkpoint_saved_here_reads_back_to_the_same_student_and_teacher_outputs()
    {
        using var scope = NewDisposeScope();
        using var student = Fresh();
        using var teacher = Fresh();
        var source = Fixture("checkpoint_uda.pth");
        SegmentorLoading.LoadInto(student, source);
        SegmentorLoading.LoadInto(teacher, source, WhichWeights.Teacher);
        var path = Path.Combine(Paths.NewTempDir(), "iter_40000.pth");
        TrainingCheckpoint.Save(path, [("model.", student), ("ema_model.", teacher)], null, new Dictionary<string, object> { ["iter"] = 40000L });

        using var student2 = Fresh();
        using var teacher2 = Fresh();
        SegmentorLoading.LoadInto(student2, path);
        SegmentorLoading.LoadInto(teacher2, path, WhichWeights.Teacher);
        var io = ParityFixture.Io();
        AssertForwardMatchesReference(student2, io);
        var ema = Safetensors.Load(Fixture("ema_io.safetensors"));
        TensorAssert.ForwardClose(TeacherDecodeLogits(teacher2, io["input"]), ema["ema_decode_logits"], "ema_decode_logits");
    }

    [Theory]
    [InlineData("state_dict.pth")]
    [InlineData("exported.safetensors")]
    public void Plain_state_dict_saved_here_reads_back_to_the_same_outputs(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Fresh();
        SegmentorLoading.LoadInto(model, Fixture("checkpoint_uda.pth"));
        var path = Path.Combine(Paths.NewTempDir(), name);
        var state = model.state_dict();
        if (name.EndsWith(".pth"))
        {
            var table = new Hashtable();
            foreach (var (k, v) in state) table[k] = v.detach().cpu();
            PyTorchFile.Write(path, table);
        }
        else Safetensors.Save(path, state.Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value)));

        using var reloaded = Fresh();
        SegmentorLoading.LoadInto(reloaded, path);
        using (var c = CheckpointReader.Read(path)) Assert.Equal(CheckpointLayout.Segmentor, c.Layout);
        AssertForwardMatchesReference(reloaded, ParityFixture.Io());
    }
}
