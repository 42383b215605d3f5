using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

/// Which images the masked step trains on (the original's `uda.mask_mode`). The `…aug` modes apply a
/// fresh DACS-style colour jitter / blur to the images before masking.
public enum MaskMode
{
    /// One source image (ground truth, weight 1) and one target image (pseudo-label, its weight); needs batch 2.
    [JsonStringEnumMemberName("separate")] Separate,
    [JsonStringEnumMemberName("separateaug")] SeparateAug,
    /// The source images with their ground truth, no weights.
    [JsonStringEnumMemberName("separatesrc")] SeparateSource,
    [JsonStringEnumMemberName("separatesrcaug")] SeparateSourceAug,
    /// The target images with the DACS pseudo-labels and their (un-mixed) weights.
    [JsonStringEnumMemberName("separatetrg")] SeparateTarget,
    /// The published MIC setting: the augmented target images with the DACS pseudo-labels and weights.
    [JsonStringEnumMemberName("separatetrgaug")] SeparateTargetAug,
}

/// Masked Image Consistency (Hoyer et al., CVPR 2023; the original's `MaskingConsistencyModule` with
/// `masking_transforms.BlockMaskGenerator`): after the DACS mixed step, the student also learns to
/// predict the teacher's pseudo-labels of the target from a copy in which most blocks are blanked.
/// `UdaConfig.Mic = null` turns it off. Defaults: MIC(HRDA) GTA→Cityscapes (`gtaHR2csHR_mic_hrda`).
///
/// The teacher is the DACS EMA teacher: the published recipes set `mask_alpha='same'` and
/// `mask_pseudo_threshold='same'`, so MIC reuses DACS's pseudo-labels and builds no second teacher.
public sealed record MicConfig
{
    /// `mask_mode`: which images are masked (published: `separatetrgaug` for GTA/Synthia→Cityscapes,
    /// `separate` for Cityscapes→ACDC / Dark Zurich).
    public MaskMode Mode { get; init; } = MaskMode.SeparateTargetAug;

    /// `mask_generator.mask_block_size`: side of the square blocks in pixels of the training crop
    /// (64 on 1024² HRDA crops, 32 on 512² DAFormer crops). The grid is round(H/b)×round(W/b) with
    /// Python's half-to-even rounding, nearest-upsampled to the crop.
    public int BlockSize { get; init; } = 64;

    /// `mask_generator.mask_ratio`: a block is blanked when its U(0,1) draw is ≤ this value, so about
    /// this share of the image is masked (0.7 published; 0 keeps every block).
    public double MaskRatio { get; init; } = 0.7;

    /// `mask_lambda`: factor on the masked step's `decode.loss_seg` (only that entry — under HRDA the
    /// `decode.hr.loss_seg` of the masked step is not scaled, as in the original).
    public double Lambda { get; init; } = 1.0;

    /// `mask_pseudo_threshold`: true = 'same' (the DACS confidence weight: share of confident pixels,
    /// zeroed where DACS ignores pseudo-labels); false = None (weight 1 except those ignored regions,
    /// the "w/o pseudo-label confidence weight" ablation of the MIC paper's Table 7).
    public bool ConfidenceWeight { get; init; } = true;

    /// Colour jitter of the `…aug` modes (`color_jitter_strength` / `color_jitter_probability`,
    /// which the original shares with DACS: strength 0.2, applied when a uniform draw exceeds 0.2).
    public ColorJitter ColorJitter { get; init; } = new();

    /// Gaussian blur of the `…aug` modes (when a uniform draw exceeds 0.5; one σ ~ U(0.15, 1.15) for
    /// the whole batch, because the original augments the batch in one `strong_transform` call). The
    /// original always draws it, whatever DACS's `blur` flag.
    public bool Blur { get; init; } = true;

    /// MIC(HRDA) on GTA/Synthia→Cityscapes at 1024² crops (exp 80): block 64, ratio 0.7, `separatetrgaug`.
    public static MicConfig Hrda => new();

    /// MIC(DAFormer) at 512² crops (exp 81): half the block size, 32.
    public static MicConfig Daformer => new() { BlockSize = 32 };
}
