using System.Collections;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Support;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Checkpoints;

public class CheckpointReaderTests
{
    static string Fixture(string name) => Path.Combine(Paths.ParityDir, name);

    [Fact]
    public void Uda_training_checkpoint_exposes_student_and_teacher_prefixes_and_meta()
    {
        using var c = CheckpointReader.Read(Fixture("checkpoint_uda.pth"));
        Assert.Equal(CheckpointLayout.UdaTraining, c.Layout);
        // manifest: 234 segmentor entries; model.* and ema_model.* (imnet_model.* and optimizer omitted for size)
        Assert.Equal(234, c.Tensors.Keys.Count(k => k.StartsWith("model.")));
        Assert.Equal(234, c.Tensors.Keys.Count(k => k.StartsWith("ema_model.")));
        Assert.Equal(40000, c.Iteration);
        Assert.False(c.HasOptimizer);
        Assert.Equal("0.16.0+oracle", c.Meta["mmseg_version"]);
    }

    [Fact]
    public void Plain_state_dict_and_imagenet_encoder_layouts_are_recognised()
    {
        using var w = CheckpointReader.Read(Fixture("weights.pth"));
        Assert.Equal(CheckpointLayout.Segmentor, w.Layout);
        Assert.Equal(234, w.Tensors.Count);
        using var e = CheckpointReader.Read(Fixture("mit_b0_imagenet.pth"));
        Assert.Equal(CheckpointLayout.Encoder, e.Layout);
        Assert.Equal(new long[] { 1000, 256 }, e.Tensors["head.weight"].shape);
        // The ImageNet file's backbone values equal weights.pth backbone.* (manifest "files").
        Assert.True(e.Tensors["block2.1.attn.kv.weight"].allclose(w.Tensors["backbone.block2.1.attn.kv.weight"], 0, 0));
    }

    [Fact]
    public void Written_nested_checkpoints_read_back()
    {
        var path = Path.Combine(Paths.NewTempDir(), "ck.pth");
        var a = randn(2, 3);
        PyTorchFile.Write(path, new Hashtable
        {
            ["meta"] = new Hashtable { ["iter"] = 7 },
            ["state_dict"] = new Hashtable { ["model.backbone.x"] = a, ["ema_model.backbone.x"] = a * 2 },
        });
        using var c = CheckpointReader.Read(path);
        Assert.Equal(7, c.Iteration);
        Assert.True(c.Tensors["ema_model.backbone.x"].allclose(a * 2));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Theory]
    [InlineData("empty", new byte[0], "empty")]
    [InlineData("legacy", new byte[] { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20 }, "legacy")]
    [InlineData("garbage", new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, "not a PyTorch checkpoint")]
    [InlineData("truncated-zip", new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0, 0, 0, 0, 0 }, "corrupt")]
    public void Bad_files_give_an_error_naming_the_file_and_the_fix(string name, byte[] content, string expected)
    {
        var path = Path.Combine(Paths.NewTempDir(), name + ".pth");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<DaFormerError>(() => CheckpointReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Missing_file_is_an_error_naming_it()
    {
        var e = Assert.Throws<DaFormerError>(() => CheckpointReader.Read("/nonexistent/x.pth"));
        Assert.Contains("/nonexistent/x.pth", e.Message);
    }
}
