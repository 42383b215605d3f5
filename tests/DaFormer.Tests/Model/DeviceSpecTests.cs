using DaFormer.Model.Runtime;

namespace DaFormer.Tests.Model;

public class DeviceSpecTests
{
    [Theory]
    [InlineData("auto", DeviceSpec.Kind.Auto, 0)]
    [InlineData("CPU", DeviceSpec.Kind.Cpu, 0)]
    [InlineData("cuda", DeviceSpec.Kind.Cuda, 0)]
    [InlineData("cuda:3", DeviceSpec.Kind.Cuda, 3)]
    public void Parses_accepted_forms(string text, DeviceSpec.Kind kind, int index)
    {
        var d = DeviceSpec.Parse(text);
        Assert.Equal(kind, d.Type);
        Assert.Equal(index, d.Index);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void Rejects_other_text_naming_the_value(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceSpec.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void Cpu_resolves_and_libtorch_computes()
    {
        var dev = TorchRuntime.Resolve(DeviceSpec.Cpu);
        Assert.Equal(TorchSharp.DeviceType.CPU, dev.type);
        using var x = TorchSharp.torch.arange(4, dtype: TorchSharp.torch.float32);
        Assert.Equal(6f, x.sum().item<float>());
    }
}
