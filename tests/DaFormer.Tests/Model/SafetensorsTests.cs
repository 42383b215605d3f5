using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Support;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model;

public class SafetensorsTests
{
    [Fact]
    public void Reads_the_fixture_io_file_with_the_manifest_shapes()
    {
        var t = Safetensors.Load(Path.Combine(Paths.ParityDir, "io.safetensors"));
        Assert.Equal(new long[] { 2, 3, 128, 160 }, t["input"].shape);
        Assert.Equal(ScalarType.Int64, t["seg_pred"].dtype);
        Assert.Equal(new long[] { 2, 19, 32, 40 }, t["decode_logits"].shape);
    }

    [Fact]
    public void Round_trips_values_dtypes_and_metadata()
    {
        var dir = Paths.NewTempDir();
        var path = Path.Combine(dir, "x.safetensors");
        var a = randn(3, 4);
        var b = arange(5, dtype: int64);
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b }, new Dictionary<string, string> { ["k"] = "v" });
        var back = Safetensors.Load(path, out var meta);
        Assert.True(back["a"].allclose(a, 0, 0));
        Assert.True(back["b"].eq(b).all().item<bool>());
        Assert.Equal("v", meta["k"]);
    }

    [Fact]
    public void A_truncated_file_is_an_error_naming_the_file()
    {
        var path = Path.Combine(Paths.NewTempDir(), "bad.safetensors");
        File.WriteAllBytes(path, [200, 0, 0, 0, 0, 0, 0, 0, (byte)'{']);
        var e = Assert.Throws<DaFormerError>(() => Safetensors.Load(path));
        Assert.Contains(path, e.Message);
    }
}
