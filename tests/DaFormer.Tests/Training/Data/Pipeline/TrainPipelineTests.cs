using DaFormer.Training.Data;
using DaFormer.Training.Data.Pipeline;

namespace DaFormer.Tests.Training.Data.Pipeline;

public class TrainPipelineTests
{
    // An image whose red channel is 10·label, at a size the resize leaves unchanged, so the
    // pipeline's crop and flip can be checked pixel by pixel against the label.
    static (RgbImage, LabelMap) Coded(int w, int h, int seed)
    {
        var r = new Random(seed);
        var label = new byte[w * h];
        var rgb = new byte[w * h * 3];
        for (var i = 0; i < label.Length; i++)
        {
            label[i] = (byte)r.Next(0, 19);
            rgb[3 * i] = (byte)(label[i] * 10); rgb[3 * i + 1] = (byte)r.Next(256); rgb[3 * i + 2] = 7;
        }
        return (new RgbImage(w, h, rgb), new LabelMap(w, h, label));
    }

    [Fact]
    public void Crop_and_flip_move_image_and_label_together_and_normalise_in_rgb_order()
    {
        var (img, lab) = Coded(40, 20, 3);
        var spec = new PipelineSpec(40, 20, 8, 12, CatMaxRatio: 0.75);
        var norm = Normalization.ImageNet;
        var flips = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var s = TrainPipeline.Run(img, lab, spec, new Random(seed));
            Assert.Equal((8, 12), (s.Height, s.Width));
            Assert.Equal(3 * 8 * 12, s.Image.Length);
            flips += s.Flipped ? 1 : 0;
            for (var y = 0; y < 8; y++)
                for (var x = 0; x < 12; x++)
                {
                    var red = s.Image[y * 12 + x] * norm.Std[0] + norm.Mean[0];
                    Assert.True(Math.Abs(s.Label![y * 12 + x] * 10 - red) < 0.01);
                    var blue = s.Image[2 * 96 + y * 12 + x] * norm.Std[2] + norm.Mean[2];
                    Assert.True(Math.Abs(7.0 - blue) < 0.01);
                    var sx = s.Flipped ? s.Box.Left + 11 - x : s.Box.Left + x;
                    Assert.Equal(lab[s.Box.Top + y, sx], s.Label[y * 12 + x]);
                }
        }
        Assert.InRange(flips, 3, 17);
    }

    [Fact]
    public void Same_seed_same_sample_and_small_images_are_padded()
    {
        var (img, lab) = Coded(30, 10, 5);
        var spec = new PipelineSpec(30, 10, 16, 16);
        var a = TrainPipeline.Run(img, lab, spec, new Random(9));
        var b = TrainPipeline.Run(img, lab, spec, new Random(9));
        Assert.Equal(a.Image, b.Image);
        Assert.Equal(a.Label, b.Label);
        Assert.Equal((16, 16), (a.Height, a.Width));
        for (var y = 10; y < 16; y++)
            for (var x = 0; x < 16; x++)
            {
                Assert.Equal(255, a.Label![y * 16 + x]);
                Assert.Equal(0f, a.Image[y * 16 + x]);
            }
    }

    [Fact]
    public void Gta_sized_input_is_resized_to_1280x704_before_cropping()
    {
        var img = new RgbImage(1914, 1052, new byte[1914 * 1052 * 3]);
        var lab = new LabelMap(1914, 1052, Enumerable.Range(0, 1914 * 1052).Select(i => (byte)(i % 1914 < 957 ? 1 : 2)).ToArray());
        var s = TrainPipeline.Run(img, lab, PipelineSpec.GtaSource(), new Random(0));
        Assert.Equal((512, 512), (s.Height, s.Width));
        Assert.InRange(s.Box.Top, 0, 704 - 512);
        Assert.InRange(s.Box.Left, 0, 1280 - 512);
    }

    [Fact]
    public void Test_pipeline_resizes_keeping_the_ratio_without_crop()
    {
        var img = new RgbImage(64, 32, new byte[64 * 32 * 3]);
        var (chw, h, w) = TestPipeline.Run(img, 32, 16);
        Assert.Equal((16, 32), (h, w));
        Assert.Equal(3 * 16 * 32, chw.Length);
        Assert.Equal((float)((0 - 123.675f) * (float)(1 / 58.395)), chw[0], 5);
    }
}
