namespace DaFormer.Model.Segmentors;

/// What turns a base segmentor (MiT + DAFormer head) into HRDA's multi-resolution segmentor
/// (Hoyer et al., ECCV 2022; the original's `HRDAEncoderDecoder` + `HRDAHead`). Sizes are in pixels
/// of the full-resolution (scale 1) image. Defaults: `hrda1-512-0.1_daformer_sepaspp`.
public sealed record HrdaSpec
{
    /// The context (LR) scale: `min(scales)` of the original (0.5). The detail scale is always 1.
    public double LrScale { get; init; } = 0.5;
    /// `scales = [1, 1]` ("samescale" ablation) is allowed; then both views see full resolution.
    public double HrScale { get; init; } = 1.0;
    /// `hr_crop_size` (h, w): the detail crop in training and the HR sliding window at inference.
    public int DetailCropHeight { get; init; } = 512;
    public int DetailCropWidth { get; init; } = 512;
    /// `crop_coord_divisible`: detail-crop offsets are multiples of this.
    public int CropCoordDivisible { get; init; } = 8;
    /// `attention_classwise`: one attention channel per class (true) or one shared channel.
    public bool AttentionClasswise { get; init; } = true;
    /// `hr_loss_weight` (λ_d): weight of the loss on the detail crop's own logits.
    public double HrLossWeight { get; init; } = 0.1;
    /// `lr_loss_weight`: weight of an extra loss on the attention-scaled context logits.
    public double LrLossWeight { get; init; } = 0;
    /// `attention_embed_dim`: channels of the scale-attention head.
    public int AttentionEmbedDim { get; init; } = 256;
    /// `fixed_attention`: a constant attention instead of the learned head (no attention weights).
    public double? FixedAttention { get; init; }
    /// `hr_slide_inference`: at inference the detail branch slides `hr_crop_size` windows over the image.
    public bool HrSlideInference { get; init; } = true;
    /// `hr_slide_overlapping`: HR slide stride = window / 2 (true) or = window (false).
    public bool HrSlideOverlapping { get; init; } = true;
    /// `feature_scale`: the scale whose backbone features feed the ImageNet feature distance;
    /// null = the original's `'all'` (every scale, the detail scale cropped with the training box).
    public double? FeatureScale { get; init; } = 0.5;
    /// `blur_hr_crop` (ablation): the detail view is down- and up-sampled ×0.5 before cropping.
    public bool BlurHrCrop { get; init; }
    /// `test_cfg.batched_slide`: all sliding windows in one forward (same numbers, fewer calls).
    public bool BatchedSlide { get; init; } = true;

    /// The weight of the fused loss: `1 − lr_loss_weight − hr_loss_weight`.
    public double FusedLossWeight => 1 - LrLossWeight - HrLossWeight;
}
