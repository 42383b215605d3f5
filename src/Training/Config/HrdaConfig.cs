using DaFormer.Model.Segmentors;

namespace DaFormer.Training.Config;

/// HRDA's multi-resolution training and inference (Hoyer et al., ECCV 2022) on top of the
/// segmentor of <see cref="ModelConfig"/>: a context view of the whole crop at `Scales`' smaller
/// scale, a detail view of a `DetailCrop` window at full resolution, the same decode head on both,
/// and a learned scale attention that fuses them. `ModelConfig.Hrda = null` is plain DAFormer.
/// Defaults: the original's `hrda1-512-0.1_daformer_sepaspp` (`configs/hrda/gtaHR2csHR_hrda.py`).
public sealed record HrdaConfig
{
    /// `scales`: the two resolutions, as the original writes them ([1, 0.5]); sorted ascending
    /// internally, so the smaller one is the context (LR) view and 1 the detail (HR) view.
    public EquatableList<double> Scales { get; init; } = [1.0, 0.5];
    /// `hr_crop_size`: the detail crop at full resolution (512 × 512 of a 1024 × 1024 training crop);
    /// also the window of the HR sliding inference.
    public ImageSize DetailCrop { get; init; } = new(512, 512);
    /// `crop_coord_divisible`: the detail crop's offsets are multiples of this (8).
    public int CropCoordDivisible { get; init; } = 8;
    /// `decode_head.attention_classwise`: one attention channel per class (true) or one for all.
    public bool AttentionClasswise { get; init; } = true;
    /// `decode_head.hr_loss_weight` (λ_d): weight of the loss of the detail crop's own logits (0.1);
    /// the fused logits get `1 − HrLossWeight − LrLossWeight`.
    public double HrLossWeight { get; init; } = 0.1;
    /// `decode_head.lr_loss_weight`: weight of an extra loss on the attention-scaled context logits
    /// (0; the original's generator sets it to λ_d when the detail crop equals the training crop).
    public double LrLossWeight { get; init; } = 0;
    /// `decode_head.attention_embed_dim`: channels of the scale-attention head (256).
    public int AttentionEmbedDim { get; init; } = 256;
    /// `decode_head.fixed_attention` ("fixedatt" ablation): a constant attention in [0, 1] instead of
    /// the learned head; null = learned.
    public double? FixedAttention { get; init; }
    /// `hr_slide_inference`: pseudo-labels and test predictions run the detail branch as sliding
    /// `DetailCrop` windows over the whole image (true) or on the whole image at once.
    public bool HrSlideInference { get; init; } = true;
    /// `hr_slide_overlapping`: the HR windows overlap by half (stride = window / 2); false
    /// ("nooverlap" ablation) tiles them.
    public bool HrSlideOverlapping { get; init; } = true;
    /// `feature_scale`: the scale whose features the ImageNet feature distance compares (0.5 = the
    /// context view of the whole crop); null = the original's `'all'` (every scale, the detail scale
    /// cropped with the training box).
    public double? FeatureScale { get; init; } = 0.5;
    /// `blur_hr_crop` ("blurhr" ablation): the detail view is down- and up-sampled ×0.5 first.
    public bool BlurHrCrop { get; init; }
    /// `test_cfg.batched_slide`: the sliding windows of one image go through the network as one
    /// batch (same predictions, fewer calls).
    public bool BatchedSlide { get; init; } = true;

    /// The smaller of the two scales (the context view).
    public double LrScale => Scales.Count == 0 ? 1 : Scales.Min();
    /// The larger of the two scales (the detail view; 1 in every configuration of the original).
    public double HrScale => Scales.Count == 0 ? 1 : Scales.Max();

    /// The model library's description of the same settings.
    public HrdaSpec ToSpec() => new()
    {
        LrScale = LrScale,
        HrScale = HrScale,
        DetailCropHeight = DetailCrop.Height,
        DetailCropWidth = DetailCrop.Width,
        CropCoordDivisible = CropCoordDivisible,
        AttentionClasswise = AttentionClasswise,
        HrLossWeight = HrLossWeight,
        LrLossWeight = LrLossWeight,
        AttentionEmbedDim = AttentionEmbedDim,
        FixedAttention = FixedAttention,
        HrSlideInference = HrSlideInference,
        HrSlideOverlapping = HrSlideOverlapping,
        FeatureScale = FeatureScale,
        BlurHrCrop = BlurHrCrop,
        BatchedSlide = BatchedSlide,
    };
}
