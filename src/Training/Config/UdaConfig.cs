using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

/// <summary>How the network is trained (the original generator's <c>uda</c>).</summary>
public enum UdaMode
{
    /// <summary>DACS self-training with an EMA teacher on (labelled source, unlabelled target) pairs.</summary>
    [JsonStringEnumMemberName("dacs")] Dacs,
    /// <summary>Supervised on the source only (the lower bound); the DACS knobs are unused.</summary>
    [JsonStringEnumMemberName("source-only")] SourceOnly,
    /// <summary>Supervised on the labelled target (the "oracle" upper bound); the DACS knobs are unused.</summary>
    [JsonStringEnumMemberName("target-only")] TargetOnly,
}

/// <summary>Cross-domain mixing of DACS. The original implements only ClassMix (<c>mix='class'</c>).</summary>
public enum MixKind
{
    /// <summary>ClassMix: half of the classes of a source image pasted onto a target image, with their (pseudo-)labels.</summary>
    [JsonStringEnumMemberName("class")] Class,
}

/// <summary>
/// Rows of the target image excluded from the pseudo-label weight (<c>pseudo_weight_ignore_top/bottom</c>:
/// 15 top / 120 bottom, the rectification border and the ego-car hood of Cityscapes; "cpl" in run names).
/// </summary>
/// <param name="Top">Rows ignored at the top (15).</param>
/// <param name="Bottom">Rows ignored at the bottom (120).</param>
public sealed record PseudoLabelCrop(int Top = 15, int Bottom = 120)
{
    /// <summary>The final recipe's crop: 15 rows top, 120 bottom.</summary>
    public static PseudoLabelCrop Original => new();
}

/// <summary>Pseudo-label margins "v2" of HRDA and MIC(HRDA) (the original's <c>crop_pseudo_margins=[30, 240, 30, 30]</c>):
/// a mask of <c>Reference</c> size that is 0 in the top/bottom rows and left/right columns of the full
/// target image, sent through the target's resize, crop and flip, multiplies the pseudo-label weight.
/// Unlike the 15/120-row crop it only hides pixels that lie at the border of the whole image.</summary>
public sealed record PseudoLabelMargins(int Top = 30, int Bottom = 240, int Left = 30, int Right = 30)
{
    /// <summary>The (width, height) the original builds the mask at — Cityscapes' 2048×1024 — before resizing.</summary>
    public ImageSize Reference { get; init; } = new(2048, 1024);

    /// <summary><c>crop_pseudo_margins=[30, 240, 30, 30]</c> of the HRDA / MIC(HRDA) Cityscapes configs.</summary>
    public static PseudoLabelMargins V2 => new();
}

/// <summary>
/// DACS colour jitter on the mixed image, applied when a uniform draw exceeds <paramref name="Probability"/>
/// (so 0.2 means 80 % of iterations, as the original's <c>color_jitter_p</c>) with strength <paramref name="Strength"/>.
/// </summary>
/// <param name="Strength">Jitter strength (<c>color_jitter_s</c>, 0.2).</param>
/// <param name="Probability">Threshold of the uniform draw (<c>color_jitter_p</c>, 0.2).</param>
public sealed record ColorJitter(double Strength = 0.2, double Probability = 0.2);

/// <summary>
/// Thing-Class ImageNet Feature Distance ("FD" in the paper): <see cref="Lambda"/> · ‖F_student − F_ImageNet‖
/// on the last encoder stage, against the frozen ImageNet encoder, restricted to feature cells whose
/// ratio-pooled label is one of <see cref="Classes"/> (null = all pixels, the <c>dacs_fd</c> ablation).
/// </summary>
public sealed record FeatureDistance
{
    /// <summary>Cityscapes "thing" classes: traffic light, sign, person, rider, car, truck, bus, train, motorcycle, bicycle.</summary>
    public static readonly EquatableList<int> ThingClasses = [6, 7, 11, 12, 13, 14, 15, 16, 17, 18];

    /// <summary>Weight λ_FD of the feature-distance loss (<c>imnet_feature_dist_lambda</c>, 0.005).</summary>
    public double Lambda { get; init; } = 0.005;
    /// <summary>Train IDs the distance is computed on (<c>imnet_feature_dist_classes</c>); null = every pixel.</summary>
    public EquatableList<int>? Classes { get; init; } = ThingClasses;
    /// <summary>Minimum class ratio of a feature cell's pooled label (<c>imnet_feature_dist_scale_min_ratio</c>, 0.75); null when Classes is null.</summary>
    public double? MinRatio { get; init; } = 0.75;

    /// <summary><c>dacs_fdthings</c>: λ 0.005 on thing classes, min ratio 0.75 (the final recipe).</summary>
    public static FeatureDistance Things => new();
    /// <summary><c>dacs_fd</c>: λ 0.005 on all pixels (the ablation without the thing-class restriction).</summary>
    public static FeatureDistance AllPixels => new() { Classes = null, MinRatio = null };
}

/// <summary>
/// The self-training knobs (DACS with an EMA teacher, pseudo-labels and ClassMix, plus DAFormer's
/// feature distance). Defaults: the final recipe, <c>dacs_a999_fdthings</c> with the pseudo-label crop.
/// </summary>
public sealed record UdaConfig
{
    /// <summary>DACS self-training, or a supervised baseline (source-only / target-only).</summary>
    public UdaMode Mode { get; init; } = UdaMode.Dacs;
    /// <summary>EMA teacher weight α: α_i = min(1 − 1/(i+1), EmaAlpha) (base DACS 0.99; the final recipe 0.999).</summary>
    public double EmaAlpha { get; init; } = 0.999;
    /// <summary>Pseudo-label confidence threshold τ for the batch-wide quality weight (0.968).</summary>
    public double PseudoThreshold { get; init; } = 0.968;
    /// <summary>Rows ignored in the pseudo-label weight (the ego-car hood / border crop); null = off (base DACS).</summary>
    public PseudoLabelCrop? PseudoLabelCrop { get; init; } = PseudoLabelCrop.Original;
    /// <summary>Margins of the full target image excluded from the pseudo-label weight (HRDA's "v2"); null =
    /// off. Left out of the JSON when null (configs of earlier runs keep their hash).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PseudoLabelMargins? PseudoLabelMargins { get; init; }
    /// <summary>Cross-domain mixing (ClassMix).</summary>
    public MixKind Mix { get; init; } = MixKind.Class;
    /// <summary>Colour jitter of the mixed image.</summary>
    public ColorJitter ColorJitter { get; init; } = new();
    /// <summary>Gaussian blur of the mixed image (when a uniform draw exceeds 0.5).</summary>
    public bool Blur { get; init; } = true;
    /// <summary>Thing-Class ImageNet Feature Distance ("FD"); null = off (base DACS).</summary>
    public FeatureDistance? FeatureDistance { get; init; } = FeatureDistance.Things;
    /// Masked Image Consistency, one more step after the mixed step; null = off (DAFormer, HRDA).
    /// Left out of the JSON when null, so configs (and run-directory hashes) of runs without MIC stay
    /// as they were before MIC existed.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MicConfig? Mic { get; init; }
}
