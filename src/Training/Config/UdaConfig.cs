using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

/// How the network is trained (spec §6.1 `uda`).
public enum UdaMode
{
    /// DACS self-training with an EMA teacher on (labelled source, unlabelled target) pairs.
    [JsonStringEnumMemberName("dacs")] Dacs,
    /// Supervised on the source only (the lower bound); the DACS knobs below are unused.
    [JsonStringEnumMemberName("source-only")] SourceOnly,
    /// Supervised on the labelled target (the "oracle" upper bound); the DACS knobs below are unused.
    [JsonStringEnumMemberName("target-only")] TargetOnly,
}

/// Cross-domain mixing of DACS. The original implements only ClassMix (`mix='class'`).
public enum MixKind
{
    [JsonStringEnumMemberName("class")] Class,
}

/// Rows of the target image excluded from the pseudo-label weight (spec §4.4: 15 top / 120 bottom,
/// the ego-car hood and the rectification border of Cityscapes).
public sealed record PseudoLabelCrop(int Top = 15, int Bottom = 120)
{
    public static PseudoLabelCrop Original => new();
}

/// Pseudo-label margins "v2" of HRDA and MIC(HRDA) (the original's `crop_pseudo_margins=[30, 240, 30, 30]`):
/// a mask of `Reference` size that is 0 in the top/bottom rows and left/right columns of the full
/// target image, sent through the target's resize, crop and flip, multiplies the pseudo-label weight.
/// Unlike the 15/120-row crop it only hides pixels that lie at the border of the whole image.
public sealed record PseudoLabelMargins(int Top = 30, int Bottom = 240, int Left = 30, int Right = 30)
{
    /// The (width, height) the original builds the mask at — Cityscapes' 2048×1024 — before resizing.
    public ImageSize Reference { get; init; } = new(2048, 1024);

    /// `crop_pseudo_margins=[30, 240, 30, 30]` of the HRDA / MIC(HRDA) Cityscapes configs.
    public static PseudoLabelMargins V2 => new();
}

/// DACS colour jitter on the mixed image: applied when a uniform draw exceeds `Probability`
/// (so 0.2 means 80 % of iterations, spec §8 item 7) with strength `Strength`.
public sealed record ColorJitter(double Strength = 0.2, double Probability = 0.2);

/// Thing-Class ImageNet Feature Distance (spec §4.4 step 4): `Lambda` · ‖F_student − F_ImageNet‖ on
/// the last encoder stage, restricted to cells whose ratio-pooled label is one of `Classes`
/// (null = all pixels, the `dacs_fd` ablation) with `MinRatio` as the pooling threshold.
public sealed record FeatureDistance
{
    /// Cityscapes "thing" classes: traffic light, sign, person, rider, car, truck, bus, train, motorcycle, bicycle.
    public static readonly EquatableList<int> ThingClasses = [6, 7, 11, 12, 13, 14, 15, 16, 17, 18];

    public double Lambda { get; init; } = 0.005;
    /// Train IDs the distance is computed on; null = every pixel.
    public EquatableList<int>? Classes { get; init; } = ThingClasses;
    /// Minimum class ratio of a feature cell's pooled label (`imnet_feature_dist_scale_min_ratio`); null when Classes is null.
    public double? MinRatio { get; init; } = 0.75;

    /// `dacs_fdthings`: λ 0.005 on thing classes, min ratio 0.75 (the final recipe).
    public static FeatureDistance Things => new();
    /// `dacs_fd`: λ 0.005 on all pixels.
    public static FeatureDistance AllPixels => new() { Classes = null, MinRatio = null };
}

/// The self-training knobs (spec §4.3, §4.4). Defaults: `dacs_a999_fdthings` with the pseudo-label crop.
public sealed record UdaConfig
{
    public UdaMode Mode { get; init; } = UdaMode.Dacs;
    /// Teacher EMA: α_i = min(1 − 1/(i+1), EmaAlpha) (base DACS 0.99; the final recipe 0.999).
    public double EmaAlpha { get; init; } = 0.999;
    /// Pseudo-label confidence threshold for the batch-wide quality weight.
    public double PseudoThreshold { get; init; } = 0.968;
    /// Rows ignored in the pseudo-label weight; null = off (base DACS).
    public PseudoLabelCrop? PseudoLabelCrop { get; init; } = PseudoLabelCrop.Original;
    /// Margins of the full target image excluded from the pseudo-label weight (HRDA's "v2"); null =
    /// off. Left out of the JSON when null (configs of earlier runs keep their hash).
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PseudoLabelMargins? PseudoLabelMargins { get; init; }
    public MixKind Mix { get; init; } = MixKind.Class;
    public ColorJitter ColorJitter { get; init; } = new();
    /// Gaussian blur of the mixed image (when a uniform draw exceeds 0.5).
    public bool Blur { get; init; } = true;
    /// ImageNet feature distance; null = off (base DACS).
    public FeatureDistance? FeatureDistance { get; init; } = FeatureDistance.Things;
    /// Masked Image Consistency, one more step after the mixed step; null = off (DAFormer, HRDA).
    /// Left out of the JSON when null, so configs (and run-directory hashes) of runs without MIC stay
    /// as they were before MIC existed.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MicConfig? Mic { get; init; }
}
