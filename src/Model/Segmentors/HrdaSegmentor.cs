using DaFormer.Model.Runtime;
using DaFormer.Model.Backbones;
using DaFormer.Model.Layers;
using static TorchSharp.torch;

namespace DaFormer.Model.Segmentors;

/// HRDA's multi-resolution segmentor (Hoyer et al., ECCV 2022; the original's
/// `mmseg/models/segmentors/hrda_encoder_decoder.py`, `HRDAEncoderDecoder`): one encoder and one
/// <see cref="HrdaHead"/>. Training sees a context view (the whole crop at the LR scale) and a
/// detail view (a random `hr_crop_size` window at full resolution); inference sees the whole image
/// at the LR scale and, with HR slide inference, overlapping detail windows over the full image.
/// Keys: `backbone.*`, `decode_head.head.*`, `decode_head.scale_attention.*`.
public sealed class HrdaSegmentor : SegmentorBase
{
    public readonly Encoder backbone;
    public readonly HrdaHead decode_head;
    readonly SegmentorSpec spec;
    readonly HrdaSpec hrda;

    public override SegmentorSpec Spec => spec;
    public override HrdaSpec Hrda => hrda;
    public override int NumClasses => decode_head.NumClasses;
    public override Encoder Backbone => backbone;
    public override bool BatchedSlide => hrda.BatchedSlide;

    /// Full-resolution pixels per context logit cell (8 for LR scale 0.5): `whole` inference pads
    /// images to a multiple of it so that the context and detail logits line up.
    public int Granularity => (int)Math.Round(HrdaHead.OutputStride / hrda.LrScale);

    public HrdaSegmentor(SegmentorSpec spec, HrdaSpec hrda, Encoder backbone, HrdaHead head) : base(nameof(HrdaSegmentor))
    {
        Validate(hrda);
        this.spec = spec;
        this.hrda = hrda;
        this.backbone = backbone;
        decode_head = head;
        RegisterComponents();
    }

    /// The model-side checks (the config validation reports the same with field paths).
    public static void Validate(HrdaSpec h)
    {
        if (h.HrScale != 1)
            throw new DaFormerError($"HRDA's detail scale must be 1 (the detail crop box is applied unchanged to the full-resolution labels), got {h.HrScale}.");
        if (!(h.LrScale > 0 && h.LrScale <= 1) || Math.Abs(1 / h.LrScale - Math.Round(1 / h.LrScale)) > 1e-9)
            throw new DaFormerError($"HRDA's context scale must be 1/n (1, 0.5, 0.25, …), got {h.LrScale}.");
        if (h.DetailCropHeight < 1 || h.DetailCropWidth < 1 || h.DetailCropHeight % HrdaHead.OutputStride != 0 || h.DetailCropWidth % HrdaHead.OutputStride != 0)
            throw new DaFormerError($"HRDA's detail crop {h.DetailCropHeight}x{h.DetailCropWidth} (h×w) must be a positive multiple of {HrdaHead.OutputStride} in both sides.");
        if (h.CropCoordDivisible < 1) throw new DaFormerError($"HRDA's CropCoordDivisible must be ≥ 1, got {h.CropCoordDivisible}.");
    }

    /// Every intermediate of a training forward, for tests and debug views.
    public sealed record TrainPieces(Tensor LrInput, Tensor HrInput, Tensor[] LrFeatures, Tensor[] HrFeatures,
        Tensor LrLogits, Tensor Attention, Tensor ScaledLrLogits, Tensor HrLogits, Tensor FusedLogits, DetailCropBox Box);

    /// Every intermediate of an inference forward (`encode_decode` before the final resize).
    public sealed record InferencePieces(Tensor LrLogits, Tensor Attention, Tensor ScaledLrLogits, Tensor HrLogits, Tensor FusedLogits);

    /// `_forward_train_features` + `HRDAHead.forward` with a given detail box: two encoder calls
    /// (context first), the shared head on each view, the attention on the context features, fusion.
    public TrainPieces ForwardTrainPieces(Tensor img, DetailCropBox box)
    {
        using var scope = NewDisposeScope();
        var lrInput = Rescale(img, hrda.LrScale);
        var hrFull = DetailImage(img);
        var hrInput = hrFull[.., .., box.Y1..box.Y2, box.X1..box.X2];
        var lrFeatures = backbone.forward(lrInput);
        var hrFeatures = backbone.forward(hrInput);
        var lr = decode_head.Decode(lrFeatures);
        var hr = decode_head.Decode(hrFeatures);
        var a = decode_head.Attention(lrFeatures, lr);
        var (fused, scaledLr) = HrdaHead.Fuse(lr, hr, a, box, hrda.LrScale, hrda.HrScale);
        var pieces = new TrainPieces(lrInput, hrInput, lrFeatures, hrFeatures, lr, a, scaledLr, hr, fused, box);
        foreach (var t in Tensors(pieces)) t.MoveToOuterDisposeScope();
        return pieces;
    }

    /// `HRDAEncoderDecoder.forward_train`: a new detail box from `random`, then `TrainWithBox`.
    public override TrainingOutput ForwardTrain(Tensor img, Tensor gt, Tensor? pixelWeight = null, Random? random = null, bool returnFeatures = false)
    {
        if (random is null)
            throw new DaFormerError("HRDA's training forward draws a detail crop box for every call; pass the random source (e.g. the iteration's stream for this step).");
        var box = DetailCropSampler.Sample((int)img.shape[2], (int)img.shape[3], hrda.DetailCropHeight, hrda.DetailCropWidth, hrda.CropCoordDivisible, random);
        return TrainWithBox(img, gt, pixelWeight, box, returnFeatures);
    }

    /// The training forward with a given detail box and `HRDAHead.losses`: `decode.loss_seg` =
    /// (1 − λ_hr − λ_lr)·CE(fused), `decode.lr.loss_seg` = λ_lr·CE((1 − a)·lr) (when λ_lr > 0),
    /// `decode.hr.loss_seg` = λ_hr·CE(hr) on the label and weight cut with the same box (when
    /// λ_hr > 0); each CE upsamples the logits to its label's size.
    public TrainingOutput TrainWithBox(Tensor img, Tensor gt, Tensor? pixelWeight, DetailCropBox box, bool returnFeatures = false)
    {
        var p = ForwardTrainPieces(img, box);
        var terms = new List<KeyValuePair<string, Tensor>>();
        var accuracies = new Dictionary<string, double>();
        using (var fusedLoss = Segmentor.Loss(p.FusedLogits, gt, pixelWeight))
            terms.Add(new("decode.loss_seg", fusedLoss.Times(hrda.FusedLossWeight)));
        accuracies["decode.acc_seg"] = Segmentor.Accuracy(p.FusedLogits, gt);
        // The original's order: fused, then lr, then hr.
        if (hrda.LrLossWeight > 0)
        {
            using (var lrLoss = Segmentor.Loss(p.ScaledLrLogits, gt, pixelWeight))
                terms.Add(new("decode.lr.loss_seg", lrLoss.Times(hrda.LrLossWeight)));
            accuracies["decode.lr.acc_seg"] = Segmentor.Accuracy(p.ScaledLrLogits, gt);
        }
        if (hrda.HrLossWeight > 0)
        {
            using var gtCrop = gt[.., .., box.Y1..box.Y2, box.X1..box.X2];
            using var wCrop = pixelWeight?[.., box.Y1..box.Y2, box.X1..box.X2];
            using (var hrLoss = Segmentor.Loss(p.HrLogits, gtCrop, wCrop))
                terms.Add(new("decode.hr.loss_seg", hrLoss.Times(hrda.HrLossWeight)));
            accuracies["decode.hr.acc_seg"] = Segmentor.Accuracy(p.HrLogits, gtCrop);
        }
        Tensor[]? features = null, detailFeatures = null;
        if (returnFeatures)
        {
            if (hrda.FeatureScale is { } fs) features = fs == hrda.LrScale ? p.LrFeatures : p.HrFeatures;
            else (features, detailFeatures) = (p.LrFeatures, p.HrFeatures);
        }
        foreach (var t in new[] { p.LrInput, p.HrInput, p.LrLogits, p.Attention, p.ScaledLrLogits, p.HrLogits })
            t.Dispose();
        foreach (var f in p.LrFeatures.Concat(p.HrFeatures))
            if (!(features?.Contains(f) ?? false) && !(detailFeatures?.Contains(f) ?? false)) f.Dispose();
        return new TrainingOutput(terms, accuracies, p.FusedLogits, features, detailFeatures, box);
    }

    /// `encode_decode` before the final resize: context view of the whole image, detail branch by
    /// overlapping sliding windows (one encoder batch, window-major) or on the whole image, fusion
    /// without a box (the attention acts everywhere). Height and width must be multiples of
    /// `Granularity`; `EncodeDecode` pads to that.
    public InferencePieces ForwardInferencePieces(Tensor img)
    {
        long h = img.shape[2], w = img.shape[3];
        if (h % Granularity != 0 || w % Granularity != 0)
            throw new DaFormerError($"HRDA inference pieces need an image whose sides are multiples of {Granularity}; got {h}x{w} (EncodeDecode pads any size).");
        using var scope = NewDisposeScope();
        // Rescaled in the image's dtype (float32), then cast for a low-precision encoder.
        var lrInput = InComputeType(Rescale(img, hrda.LrScale));
        var lrFeatures = backbone.forward(lrInput);
        var hrImg = InComputeType(Rescale(img, hrda.HrScale));
        // The original's order: both encoder calls, then the head on the context, the detail branch, the attention.
        IReadOnlyList<DetailCropBox>? boxes = null;
        Tensor[] hrFeatures;
        if (hrda.HrSlideInference)
        {
            boxes = SlideBoxes(hrImg.shape[2], hrImg.shape[3]);
            var windows = boxes.Select(b => hrImg[.., .., b.Y1..b.Y2, b.X1..b.X2]).ToArray();
            hrFeatures = backbone.forward(cat(windows, 0));
        }
        else hrFeatures = backbone.forward(hrImg);
        var lr = decode_head.Decode(lrFeatures);
        var hr = boxes is null ? decode_head.Decode(hrFeatures) : decode_head.DecodeSlide(hrFeatures, boxes, img.shape[0]);
        var a = decode_head.Attention(lrFeatures, lr);
        var (fused, scaledLr) = HrdaHead.Fuse(lr, hr, a, null, hrda.LrScale, hrda.HrScale);
        var pieces = new InferencePieces(lr, a, scaledLr, hr, fused);
        foreach (var t in new[] { lr, a, scaledLr, hr, fused }) t.MoveToOuterDisposeScope();
        return pieces;
    }

    /// Logits at the input size (mmseg `encode_decode`) for any image size: sides that are not a
    /// multiple of `Granularity` (8 for LR scale 0.5; the original fails there with a shape
    /// mismatch) are zero-padded at the bottom and right — zero is the mean colour after
    /// normalisation, the value the training pipeline pads with — and the padding is cut off again.
    public override Tensor EncodeDecode(Tensor img)
    {
        using var scope = NewDisposeScope();
        long h = img.shape[2], w = img.shape[3];
        long ph = (Granularity - h % Granularity) % Granularity, pw = (Granularity - w % Granularity) % Granularity;
        var input = ph == 0 && pw == 0 ? img : nn.functional.pad(img, [0, pw, 0, ph]);
        var p = ForwardInferencePieces(input);
        var logits = Resize.Bilinear(p.FusedLogits, h + ph, w + pw);
        if (ph != 0 || pw != 0) logits = logits[.., .., ..(int)h, ..(int)w];
        return logits.MoveToOuterDisposeScope();
    }

    /// The HR slide windows (`extract_slide_feat`): `hr_crop_size` windows with stride window / 2
    /// (or window without overlap), row-major, shifted back inside the image.
    public IReadOnlyList<DetailCropBox> SlideBoxes(long height, long width)
    {
        int ch = hrda.DetailCropHeight, cw = hrda.DetailCropWidth;
        int sh = hrda.HrSlideOverlapping ? ch / 2 : ch, sw = hrda.HrSlideOverlapping ? cw / 2 : cw;
        return (from y in Windows(height, ch, sh) from x in Windows(width, cw, sw)
                select new DetailCropBox((int)y.Start, (int)y.End, (int)x.Start, (int)x.End)).ToList();
    }

    /// The image at `feature_scale` (the whole image; with `'all'` the context view).
    public override Tensor FeatureImage(Tensor img) => Rescale(img, hrda.FeatureScale ?? hrda.LrScale);

    /// `extract_feat` with a numeric `feature_scale`: the encoder on the image at that scale.
    public override Tensor[] ExtractFeatures(Tensor img)
    {
        using var rescaled = FeatureImage(img);
        using var scaled = InComputeType(rescaled);
        return backbone.forward(scaled);
    }

    /// `resize(img, s)` of the original (no gradient through the rescaling of an input image).
    static Tensor Rescale(Tensor img, double scale)
    {
        using var _ = no_grad();
        return Resize.BilinearByFactor(img, scale);
    }

    /// `blur_hr_crop`: the full-resolution image down- and up-sampled by 2 before the crop.
    Tensor DetailImage(Tensor img)
    {
        if (!hrda.BlurHrCrop) return Rescale(img, hrda.HrScale);
        using var _ = no_grad();
        using var half = Resize.BilinearByFactor(img, 0.5);
        return Resize.BilinearByFactor(half, 2);
    }

    static IEnumerable<Tensor> Tensors(TrainPieces p) =>
        new[] { p.LrInput, p.HrInput, p.LrLogits, p.Attention, p.ScaledLrLogits, p.HrLogits, p.FusedLogits }
            .Concat(p.LrFeatures).Concat(p.HrFeatures);
}
