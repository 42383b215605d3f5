using DaFormer.Cli.Downloads;
using DaFormer.Model;
using DaFormer.Training.Config;

namespace DaFormer.Tests.Scripting;

/// `download-checkpoints` knows the ResNet-family ImageNet weights the original's `open-mmlab://`
/// names resolve to (mmcv `model_zoo/open_mmlab.json`), and saves each where the run config looks.
public class DownloadCatalogTests
{
    const string Zoo = "https://download.openmmlab.com/pretrain/third_party/";

    /// Encoder → the URL of its ImageNet weights, as mmcv's model zoo lists them.
    public static TheoryData<string, Encoder, string> ResNets => new()
    {
        { "r50v1c", Encoder.R50V1c, Zoo + "resnet50_v1c-2cccc1ad.pth" },
        { "r101v1c", Encoder.R101V1c, Zoo + "resnet101_v1c-e67eebb6.pth" },
        { "x50-32", Encoder.X50_32, Zoo + "resnext50-32x4d-0ab1a123.pth" },
        { "x101-32", Encoder.X101_32, Zoo + "resnext101_32x4d-a5af3160.pth" },
        { "s50", Encoder.S50, Zoo + "resnest50_d2-7497a55b.pth" },
        { "s101", Encoder.S101, Zoo + "resnest101_d2-f3b931b2.pth" },
        { "s200", Encoder.S200, Zoo + "resnest200_d2-ca88e41f.pth" },
    };

    [Theory]
    [MemberData(nameof(ResNets))]
    public void Each_resnet_encoder_has_its_model_zoo_file_saved_where_the_config_expects_it(string name, Encoder encoder, string url)
    {
        var item = Assert.Single(DownloadCatalog.Default, i => i.Name == name);
        Assert.Equal(url, item.Url);
        // The run config of that encoder (RunConfig.WithArchitecture) reads pretrained/<FileName>.
        var config = new RunConfig().WithArchitecture(encoder, Decoder.Dlv2Red);
        Assert.Equal(Path.Combine("pretrained", item.FileName), config.Model.Pretrained);
        // The zoo's file-name suffix is the leading hex of the SHA-256: pinned, and checked after download.
        Assert.Equal(url[(url.LastIndexOf('-') + 1)..^".pth".Length], item.Sha256);
        Assert.True(item.OnlyWhenNamed);
    }

    [Fact]
    public void Without_only_the_daformer_set_is_fetched_and_the_resnets_when_named()
    {
        Assert.Equal(["mit_b3", "mit_b4", "mit_b5", "daformer_gta2cs"], DownloadCatalog.Select(DownloadCatalog.Default, []).Select(i => i.Name));
        Assert.Equal(["r101v1c", "s101"], DownloadCatalog.Select(DownloadCatalog.Default, ["s101", "r101v1c"]).Select(i => i.Name));
        var e = Assert.Throws<DaFormerError>(() => DownloadCatalog.Select(DownloadCatalog.Default, ["resnet101"]));
        Assert.Contains("--only resnet101: unknown; choose from mit_b3, mit_b4, mit_b5, r50v1c, r101v1c", e.Message);
    }

    [Theory]
    [InlineData("2cccc1ad", true)]
    [InlineData("2CCCC1AD", true)]
    [InlineData("2cccc1ae", false)]
    [InlineData("2cccc1a", false)] // fewer than 8 digits pins nothing useful
    public void A_pinned_hash_may_be_the_leading_hex_digits(string pinned, bool matches) =>
        Assert.Equal(matches, Downloader.HashMatches(pinned, "2cccc1ad" + new string('f', 56)));
}
