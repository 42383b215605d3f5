using DaFormer.Training.Config;
using DaFormer.Training.Data.Pipeline;
using DaFormer.Training.Uda;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

/// HRDA's pseudo-label margins v2 (`crop_pseudo_margins=[30, 240, 30, 30]`) and how they follow a
/// target crop through resize, crop and flip.
public class PseudoMarginsTests
{
    [Fact]
    public void On_a_full_cityscapes_image_rows_0_29_and_784_1023_and_columns_0_29_and_2018_2047_are_zero()
    {
        var mask = PseudoMargins.Resized(PseudoLabelMargins.V2, new ImageSize(2048, 1024));
        Assert.Equal((2048, 1024), (mask.Width, mask.Height));
        for (var y = 0; y < 1024; y += 1)
            foreach (var x in new[] { 0, 29, 30, 1000, 2017, 2018, 2047 })
            {
                var inside = y >= 30 && y < 784 && x >= 30 && x < 2018;
                Assert.Equal(inside ? 1 : 0, mask[y, x]);
            }
    }

    [Fact]
    public void A_flipped_right_half_crop_has_the_right_margin_on_its_left()
    {
        var resized = PseudoMargins.Resized(PseudoLabelMargins.V2, new ImageSize(2048, 1024));
        var masks = PseudoMargins.Masks(resized, [new CropGeometry(new CropBox(0, 1024, 1024, 1024), Flipped: true),
                                                  new CropGeometry(new CropBox(0, 0, 1024, 1024), Flipped: false)], 1024, 1024);
        Assert.Equal(new long[] { 2, 1, 1024, 1024 }, masks.shape);
        var columnsFlipped = masks[0, 0, 500].data<float>().ToArray();
        var columnsPlain = masks[1, 0, 500].data<float>().ToArray();
        for (var x = 0; x < 1024; x++)
        {
            Assert.Equal(x < 30 ? 0f : 1f, columnsFlipped[x]);   // image columns 2018…2047, mirrored
            Assert.Equal(x < 30 ? 0f : 1f, columnsPlain[x]);     // image columns 0…29
        }
        var rows = masks[0, 0, .., 512].data<float>().ToArray();
        for (var y = 0; y < 1024; y++) Assert.Equal(y < 30 || y >= 784 ? 0f : 1f, rows[y]);
    }

    [Fact]
    public void Margins_scale_with_the_target_resize()
    {
        // Cityscapes resized to (1024, 512): nearest sampling of every second row/column.
        var mask = PseudoMargins.Resized(PseudoLabelMargins.V2, new ImageSize(1024, 512));
        Assert.Equal((1024, 512), (mask.Width, mask.Height));
        Assert.Equal(0, mask[14, 500]);
        Assert.Equal(1, mask[15, 500]);
        Assert.Equal(1, mask[391, 500]);
        Assert.Equal(0, mask[392, 500]);
    }

    [Fact]
    public void Config_names_and_validation()
    {
        Assert.Contains("_cpl2_m64-07-spta_", Presets.MicHrdaGta2Cs.Name);
        var both = Presets.MicHrdaGta2Cs with { Uda = Presets.MicHrdaGta2Cs.Uda with { PseudoLabelCrop = PseudoLabelCrop.Original } };
        Assert.Contains(ConfigValidation.Validate(both), p => p.Path == "Uda.PseudoLabelMargins" && p.Message.Contains("one or the other"));
        var negative = Presets.MicHrdaGta2Cs with { Uda = Presets.MicHrdaGta2Cs.Uda with { PseudoLabelMargins = new(Top: -1) } };
        Assert.Contains(ConfigValidation.Validate(negative), p => p.Path == "Uda.PseudoLabelMargins.Top");
    }
}
