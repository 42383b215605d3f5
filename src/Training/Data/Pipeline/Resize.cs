namespace DaFormer.Training.Data.Pipeline;

/// OpenCV `cv2.resize` for 8-bit images, as mmcv's `imresize` calls it (spec §2.2).
///
/// Image, INTER_LINEAR: half-pixel centres, no anti-aliasing, OpenCV's fixed-point arithmetic —
/// 11-bit horizontal weights `round((1-fx)·2048)`, `round(fx·2048)` computed from the float
/// `fx = (float)((dx+0.5)·scale − 0.5)`, borders clamped (fx = 0 at the edges), then the vertical pass
/// exactly as the x86 SIMD kernel `VResizeLinearVec_32s8u` rounds it:
/// `sat_u8((((S0>>4)·β0 >> 16) + ((S1>>4)·β1 >> 16) + 2) >> 2)`. OpenCV's scalar tail
/// (`(S0·β0 + S1·β1 + 2^21) >> 22`) can differ from this by at most 1 grey level on a few pixels; all
/// full rows of images whose width·3 is a multiple of the vector width take the SIMD path. Checked
/// against OpenCV 4.13 (OpenCvSharp): bit-identical on GTA 1914×1052→1280×704, Cityscapes
/// 2048×1024→1024×512, 640×360→1280×720 and small odd sizes (see ResizeTests), labels identical too.
/// An exact 2× downscale in both axes is turned into INTER_AREA by OpenCV (`(a+b+c+d+2)>>2`), and so
/// here (Cityscapes 2048×1024 → 1024×512).
///
/// Label, INTER_NEAREST: source index `floor(dst · (1 / (dst/src)))`, clamped to the last pixel.
public static class Resize
{
    const int CoefBits = 11;
    const int CoefScale = 1 << CoefBits;

    public static RgbImage Bilinear(RgbImage src, int dstWidth, int dstHeight) =>
        BilinearRegion(src, dstWidth, dstHeight, new CropBox(0, 0, dstHeight, dstWidth));

    /// The pixels inside `region` of the image `Bilinear(src, dstWidth, dstHeight)` would return,
    /// computed without producing the rest (the training pipeline resizes only the crop it keeps).
    public static RgbImage BilinearRegion(RgbImage src, int dstWidth, int dstHeight, CropBox region)
    {
        if (dstWidth <= 0 || dstHeight <= 0) throw new ArgumentException($"target size must be positive, got {dstWidth}×{dstHeight}");
        if (region.Top < 0 || region.Left < 0 || region.Bottom > dstHeight || region.Right > dstWidth)
            throw new ArgumentException($"region {region} lies outside the {dstWidth}×{dstHeight} result");
        if (dstWidth == src.Width && dstHeight == src.Height) return Crop.Image(src, region);
        if (src.Width == 2 * dstWidth && src.Height == 2 * dstHeight) return AreaHalf(src, region);

        int sw = src.Width, sh = src.Height, ow = region.Width, oh = region.Height;
        // OpenCV: inv_scale = dst/src in double, scale = 1/inv_scale.
        double scaleX = 1.0 / ((double)dstWidth / sw), scaleY = 1.0 / ((double)dstHeight / sh);

        var xofs0 = new int[ow]; var xofs1 = new int[ow];
        var alpha0 = new int[ow]; var alpha1 = new int[ow];
        for (var i = 0; i < ow; i++)
        {
            var dx = region.Left + i;
            var fx = (float)((dx + 0.5) * scaleX - 0.5);
            var sx = (int)MathF.Floor(fx);
            fx -= sx;
            if (sx < 0) { fx = 0; sx = 0; }
            if (sx >= sw - 1) { fx = 0; sx = sw - 1; }
            xofs0[i] = sx * 3;
            xofs1[i] = Math.Min(sx + 1, sw - 1) * 3;
            alpha0[i] = SaturateShort((1f - fx) * CoefScale);
            alpha1[i] = SaturateShort(fx * CoefScale);
        }

        var dst = new byte[ow * oh * 3];
        var rowA = new int[ow * 3]; var rowB = new int[ow * 3];
        int rowAIndex = -1, rowBIndex = -1;
        var pixels = src.Pixels;
        for (var j = 0; j < oh; j++)
        {
            var dy = region.Top + j;
            var fy = (float)((dy + 0.5) * scaleY - 0.5);
            var sy = (int)MathF.Floor(fy);
            fy -= sy;
            int beta0 = SaturateShort((1f - fy) * CoefScale), beta1 = SaturateShort(fy * CoefScale);
            int r0 = Math.Clamp(sy, 0, sh - 1), r1 = Math.Clamp(sy + 1, 0, sh - 1);
            // Keep the two most recent horizontally resized source rows (consecutive output rows share them).
            if (r0 != rowAIndex)
            {
                if (r0 == rowBIndex) { (rowA, rowB) = (rowB, rowA); (rowAIndex, rowBIndex) = (rowBIndex, rowAIndex); }
                else { HorizontalPass(pixels, r0 * sw * 3, xofs0, xofs1, alpha0, alpha1, rowA); rowAIndex = r0; }
            }
            if (r1 != rowBIndex)
            {
                if (r1 == rowAIndex) Array.Copy(rowA, rowB, rowA.Length);
                else HorizontalPass(pixels, r1 * sw * 3, xofs0, xofs1, alpha0, alpha1, rowB);
                rowBIndex = r1;
            }
            var outRow = dst.AsSpan(j * ow * 3, ow * 3);
            var a = rowA.AsSpan(); var b = rowB.AsSpan();
            for (var k = 0; k < outRow.Length; k++)
            {
                var v = ((((a[k] >> 4) * beta0) >> 16) + (((b[k] >> 4) * beta1) >> 16) + 2) >> 2;
                outRow[k] = (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
        return new RgbImage(ow, oh, dst);
    }

    static void HorizontalPass(byte[] pixels, int rowStart, int[] xofs0, int[] xofs1, int[] alpha0, int[] alpha1, int[] dst)
    {
        var row = pixels.AsSpan(rowStart);
        for (var i = 0; i < xofs0.Length; i++)
        {
            int o0 = xofs0[i], o1 = xofs1[i], a0 = alpha0[i], a1 = alpha1[i], d = i * 3;
            dst[d] = row[o0] * a0 + row[o1] * a1;
            dst[d + 1] = row[o0 + 1] * a0 + row[o1 + 1] * a1;
            dst[d + 2] = row[o0 + 2] * a0 + row[o1 + 2] * a1;
        }
    }

    // OpenCV saturate_cast<short>(float): round half to even, then clamp.
    static int SaturateShort(float v) => (int)Math.Clamp(MathF.Round(v, MidpointRounding.ToEven), short.MinValue, short.MaxValue);

    static RgbImage AreaHalf(RgbImage src, CropBox region)
    {
        int sw = src.Width, ow = region.Width, oh = region.Height;
        var dst = new byte[ow * oh * 3];
        var p = src.Pixels;
        for (var j = 0; j < oh; j++)
        {
            int s0 = 2 * (region.Top + j) * sw * 3, s1 = s0 + sw * 3;
            for (var i = 0; i < ow; i++)
            {
                var sx = 2 * (region.Left + i) * 3;
                for (var c = 0; c < 3; c++)
                    dst[(j * ow + i) * 3 + c] = (byte)((p[s0 + sx + c] + p[s0 + sx + 3 + c] + p[s1 + sx + c] + p[s1 + sx + 3 + c] + 2) >> 2);
            }
        }
        return new RgbImage(ow, oh, dst);
    }

    public static LabelMap Nearest(LabelMap src, int dstWidth, int dstHeight)
    {
        if (dstWidth <= 0 || dstHeight <= 0) throw new ArgumentException($"target size must be positive, got {dstWidth}×{dstHeight}");
        if (dstWidth == src.Width && dstHeight == src.Height) return src;
        var xs = NearestIndices(src.Width, dstWidth);
        var ys = NearestIndices(src.Height, dstHeight);
        var dst = new byte[dstWidth * dstHeight];
        for (var y = 0; y < dstHeight; y++)
        {
            var srcRow = src.Values.AsSpan(ys[y] * src.Width, src.Width);
            var outRow = dst.AsSpan(y * dstWidth, dstWidth);
            for (var x = 0; x < dstWidth; x++) outRow[x] = srcRow[xs[x]];
        }
        return new LabelMap(dstWidth, dstHeight, dst);
    }

    /// OpenCV INTER_NEAREST source index for each destination index.
    public static int[] NearestIndices(int srcSize, int dstSize)
    {
        var scale = 1.0 / ((double)dstSize / srcSize);
        var idx = new int[dstSize];
        for (var d = 0; d < dstSize; d++) idx[d] = Math.Min((int)Math.Floor(d * scale), srcSize - 1);
        return idx;
    }
}
