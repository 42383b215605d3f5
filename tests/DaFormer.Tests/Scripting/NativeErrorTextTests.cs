using DaFormer.Cli.Commands;
using Xunit;

namespace DaFormer.Tests.Scripting;

public class NativeErrorTextTests
{
    // The shape of the message a run printed on 2026-12-01 (abridged frames).
    const string Libtorch =
        "Expected false to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)\n" +
        "Exception raised from toBFloat16 at /pytorch/c10/core/Scalar.h:140 (most recent call first):\n" +
        "frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0xb0 (0x7f15fc2571a0 in libc10.so)\n" +
        "frame #13: THSTensor_add_scalar_ + 0x5f (0x7f15f4f7b74f in libLibTorchSharp.so)\n";

    [Fact]
    public void Libtorch_frames_are_cut_and_the_place_kept()
    {
        var text = NativeErrorText.WithoutFrames(Libtorch);
        Assert.DoesNotContain("frame #", text);
        Assert.DoesNotContain('\n', text);
        Assert.StartsWith("Expected false to be true, but got false.", text);
        Assert.EndsWith("(libtorch, raised from toBFloat16 at /pytorch/c10/core/Scalar.h:140)", text);
    }

    [Fact]
    public void Other_messages_are_unchanged()
    {
        const string plain = "Data.Root: data/x does not exist.\nSecond line stays.";
        Assert.Equal(plain, NativeErrorText.WithoutFrames(plain));
    }
}
