using DaFormer.Model.Runtime;
using DaFormer.Training.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// The DACS debug grid (the original's `debug_img_interval`): one row per sample with the source and
/// target crops, the mixed image and the label maps (source GT, teacher pseudo-label, mixed label,
/// student prediction on the mixed image) in the Cityscapes palette.
public static class DebugImages
{
    /// Normalised images (B,3,H,W) and label maps (B,H,W) with their column titles.
    public sealed record Panels(IReadOnlyList<(string Title, Tensor Image)> Images, IReadOnlyList<(string Title, Tensor Labels)> Labels) : IDisposable
    {
        /// CPU copies that outlive the calling dispose scope (they belong to the scope around it).
        public Panels ToCpu() => new(Images.Select(x => (x.Title, x.Image.detach().cpu().clone().MoveToOuterDisposeScope())).ToList(),
                                     Labels.Select(x => (x.Title, x.Labels.detach().cpu().to(ScalarType.Int64).clone().MoveToOuterDisposeScope())).ToList());

        public void Dispose()
        {
            foreach (var (_, t) in Images) t.Dispose();
            foreach (var (_, t) in Labels) t.Dispose();
        }
    }

    /// Height of the title strip above the panels (a 5×7 glyph with a 2-pixel margin).
    public const int TitleHeight = TinyFont.GlyphHeight + 4;

    /// Writes the grid: a title strip naming each column, then one row per sample. Every panel is
    /// scaled to the crop size (nearest neighbour, so label colours stay palette colours) — the
    /// student's prediction comes at the decoder's 1/4 resolution.
    public static void Write(string path, Panels p, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        var b = (int)p.Images[0].Image.shape[0];
        int h = (int)p.Images[0].Image.shape[2], w = (int)p.Images[0].Image.shape[3];
        var titles = p.Images.Select(x => x.Title).Concat(p.Labels.Select(x => x.Title)).ToList();
        var cols = titles.Count;
        using var grid = new Image<Rgb24>(cols * (w + 2), TitleHeight + b * (h + 2), new Rgb24(255, 255, 255));
        using (var strip = TitleStrip(titles, grid.Width, w))
            grid.Mutate(g => g.DrawImage(strip, new Point(0, 0), 1f));
        for (var row = 0; row < b; row++)
        {
            var col = 0;
            foreach (var (_, t) in p.Images) Paste(grid, ToRgb(t[row], mean, std), col++, row, w, h);
            foreach (var (_, t) in p.Labels) Paste(grid, Colourise(t[row]), col++, row, w, h);
        }
        ImageIo.SaveAtomic(path, s => grid.SaveAsPng(s));
    }

    static Image<Rgb24> TitleStrip(IReadOnlyList<string> titles, int width, int cell)
    {
        var px = new byte[width * TitleHeight * 3];
        Array.Fill(px, (byte)255);
        for (var c = 0; c < titles.Count; c++)
            TinyFont.Draw(px, width, TitleHeight, titles[c], c * (cell + 2) + 1, 2, cell, (0, 0, 0));
        return Image.LoadPixelData<Rgb24>(px, width, TitleHeight);
    }

    static void Paste(Image<Rgb24> grid, RgbImage tile, int col, int row, int w, int h)
    {
        using var img = Image.LoadPixelData<Rgb24>(tile.Pixels, tile.Width, tile.Height);
        if (tile.Width != w || tile.Height != h) img.Mutate(x => x.Resize(w, h, KnownResamplers.NearestNeighbor));
        grid.Mutate(g => g.DrawImage(img, new Point(col * (w + 2), TitleHeight + row * (h + 2)), 1f));
    }

    /// De-normalises one (3,H,W) image to bytes.
    public static RgbImage ToRgb(Tensor chw, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        using var scope = NewDisposeScope();
        var m = tensor(mean.Select(x => (float)x).ToArray()).view(3, 1, 1);
        var s = tensor(std.Select(x => (float)x).ToArray()).view(3, 1, 1);
        var bytes = (chw * s).Plus(m).Clamped(0, 255).round().to(ScalarType.Byte).permute(1, 2, 0).contiguous();
        return new RgbImage((int)chw.shape[2], (int)chw.shape[1], bytes.data<byte>().ToArray());
    }

    /// Colours a (H,W) train-ID map with the Cityscapes palette; 255 (ignore) is black.
    public static RgbImage Colourise(Tensor labels)
    {
        int h = (int)labels.shape[0], w = (int)labels.shape[1];
        var ids = labels.to(ScalarType.Int64).contiguous().data<long>().ToArray();
        var px = new byte[h * w * 3];
        var palette = LabelMaps.CityscapesPalette;
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i] < 0 || ids[i] >= palette.Count) continue;
            var (r, g, bl) = palette[(int)ids[i]];
            px[3 * i] = r; px[3 * i + 1] = g; px[3 * i + 2] = bl;
        }
        return new RgbImage(w, h, px);
    }
}
