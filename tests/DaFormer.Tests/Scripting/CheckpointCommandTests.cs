using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// `daformer checkpoint inspect|verify`: what a file fits, and user errors as one paragraph
/// (file + fix), exit code 1, no stack trace.
[Collection("Console")]
public class CheckpointCommandTests
{
    static string Fixture(string name) => Path.Combine(Paths.ParityDir, name);

    [Theory]
    [InlineData("checkpoint_uda.pth", "fits: mit_b0 + daformer_sepaspp (channels 64, 19 classes) (student model.* weights)")]
    [InlineData("weights.pth", "fits: mit_b0 + daformer_sepaspp (channels 64, 19 classes)")]
    [InlineData("mit_b0_imagenet.pth", "fits: mit_b0 encoder")]
    public void Inspect_says_which_architecture_the_file_fits(string file, string expected)
    {
        var r = CliHarness.Run("checkpoint", "inspect", Fixture(file));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(expected, r.Out);
    }

    [Theory]
    [InlineData(new[] { "--arch", "mit_b0", "--head", "daformer" }, "the student (model.*) load into mit_b0 + daformer_sepaspp (channels 64, 19 classes), 3,575,731 parameters")]
    [InlineData(new[] { "--teacher" }, "the teacher (ema_model.*) load into mit_b0 + daformer_sepaspp (channels 64, 19 classes)")]
    public void Verify_loads_a_fitting_checkpoint(string[] options, string expected)
    {
        var r = CliHarness.Run(["checkpoint", "verify", Fixture("checkpoint_uda.pth"), .. options]);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains(expected, r.Out);
    }

    [Fact]
    public void Verify_of_an_imagenet_file_loads_the_encoder()
    {
        var r = CliHarness.Run("checkpoint", "verify", Fixture("mit_b0_imagenet.pth"));
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("the mit_b0 encoder weights load", r.Out);
    }

    public static TheoryData<string, byte[]?, string[], string[]> BadFiles => new()
    {
        // A zip header followed by garbage: torch.save's format, but unreadable.
        { "corrupt.pth", [(byte)'P', (byte)'K', 3, 4, 20, 0, 0, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [], ["corrupt", "Re-download it"] },
        // Pre-1.6 torch.save: a pickle protocol-2 stream with the legacy magic number.
        { "legacy.pth", [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e], [], ["legacy", "torch.save(torch.load('OLD.pth'"] },
        // The fixture's mit_b0 checkpoint verified as the paper's mit_b5 model.
        { "checkpoint_uda.pth", null, ["--arch", "mit_b5", "--head", "daformer", "--channels", "256"],
          ["do not fit the model mit_b5 + daformer_sepaspp (channels 256, 19 classes)", "missing", "wrong shape",
           "The file fits mit_b0 + daformer_sepaspp (channels 64, 19 classes): build the model as mit_b0 + daformer_sepaspp with Channels=64"] },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_checkpoints_give_one_paragraph_naming_the_file_and_the_fix(string name, byte[]? content, string[] options, string[] expected)
    {
        var path = content is null ? Fixture(name) : Path.Combine(Paths.NewTempDir(), name);
        if (content is not null) File.WriteAllBytes(path, content);
        var r = CliHarness.Run(["checkpoint", "verify", path, .. options]);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        var lines = r.Err.TrimEnd('\n').Split('\n');
        Assert.Single(lines); // one paragraph, no stack trace
        Assert.StartsWith($"error: {path}: ", lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
        foreach (var e in expected) Assert.Contains(e, r.Err);
    }
}
