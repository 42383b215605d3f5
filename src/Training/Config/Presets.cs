namespace DaFormer.Training.Config;

/// <summary>
/// Named starting points. Scripts take one and say only what differs (<c>using static
/// DaFormer.Training.Config.Presets;</c> then <c>Gta2Cs.WithUda(u =&gt; u with { … })</c>). Properties, not
/// fields, so every use gets a fresh value built from the one above it.
/// </summary>
public static class Presets
{
    /// <summary>
    /// The final DAFormer recipe on GTA→Cityscapes (the original's exp 6, <c>daformer_sepaspp</c>, seed 0):
    /// MiT-b5 + DAFormer head, DACS with EMA α 0.999, thing-class ImageNet Feature Distance, Rare Class
    /// Sampling T 0.01, pseudo-label crop, AdamW 6e-5 (head ×10), poly10warm, 40k iterations, batch 2 of 512² crops.
    /// </summary>
    public static RunConfig Gta2Cs => new();

    /// <summary>The final DAFormer recipe on Synthia→Cityscapes (exp 7): the Synthia source at (1280, 760).</summary>
    public static RunConfig Synthia2Cs => Gta2Cs with { Data = Gta2Cs.Data with { Source = DatasetConfig.Synthia } };

    /// <summary>
    /// Cityscapes→ACDC, adverse weather (exp 8, <c>uda_cityscapes_to_acdc_512x512.py</c>): Cityscapes source at
    /// (1024, 512) with cat_max_ratio 0.75; ACDC target and validation at (960, 540).
    /// </summary>
    public static RunConfig Cs2Acdc => Gta2Cs with
    {
        Data = Gta2Cs.Data with { Source = DatasetConfig.CityscapesTrain, Target = DatasetConfig.AcdcTrain, Validation = DatasetConfig.AcdcVal },
    };

    /// <summary>Cityscapes→Dark Zurich (exp 8): night target at (960, 540), validation on Dark Zurich val.</summary>
    public static RunConfig Cs2DarkZurich => Gta2Cs with
    {
        Data = Gta2Cs.Data with { Source = DatasetConfig.CityscapesTrain, Target = DatasetConfig.DarkZurichTrain, Validation = DatasetConfig.DarkZurichVal },
    };

    /// <summary>MIC(DAFormer) on GTA→Cityscapes (MIC paper Table 1, the original's experiment 81, row
    /// <c>daformer_sepaspp</c> + <c>mitb5</c>): the final DAFormer recipe plus Masked Image Consistency on the
    /// 512² target crops — block 32 (half of HRDA's 64 at half the resolution), ratio 0.7,
    /// <c>separatetrgaug</c>, λ 1, the DACS pseudo-labels with the legacy 15/120-row crop.</summary>
    public static RunConfig MicDaformerGta2Cs => Gta2Cs with { Uda = Gta2Cs.Uda with { Mic = MicConfig.Daformer } };

    /// <summary>
    /// HRDA on GTA→Cityscapes (Hoyer, Dai, Van Gool, "HRDA: Context-Aware High-Resolution Domain-Adaptive
    /// Semantic Segmentation", ECCV 2022; the original's <c>configs/hrda/gtaHR2csHR_hrda.py</c>, seed 1; published
    /// 73.8 mIoU): the DAFormer recipe with HRDA <c>hrda1-512-0.1</c> (<see cref="HrdaConfig"/> defaults: scales
    /// [1, 0.5], 512² detail crop, λ_d 0.1) around MiT-b5 + DAFormer head, on 1024² crops of GTA at (2560, 1440) and
    /// Cityscapes at (2048, 1024) (<c>uda_gtaHR_to_cityscapesHR_1024x1024.py</c>, one loader worker), RCS with min crop ratio 2.0
    /// (DAFormer's 0.5 × 2² for the 4× larger crop, i.e. more than 6000 pixels of the sampled class), the
    /// pseudo-label margins v2 (30 top, 240 bottom, 30 left/right of the full Cityscapes image) instead of the
    /// 15/120-row crop, and slide test over 1024² windows with stride 512.
    /// </summary>
    public static RunConfig HrdaGta2Cs => Gta2Cs with
    {
        Model = Gta2Cs.Model with { Hrda = new HrdaConfig() },
        Data = Gta2Cs.Data with
        {
            Source = DatasetConfig.Gta with { Scale = new(2560, 1440) },
            Target = DatasetConfig.CityscapesTrain with { Scale = new(2048, 1024) },
            Validation = DatasetConfig.CityscapesVal with { Scale = new(2048, 1024) },
            Crop = new(1024, 1024),
            Workers = 1,
            Rcs = Rcs.On(temperature: 0.01, minPixels: 3000, minCropRatio: 2.0),
        },
        Uda = Gta2Cs.Uda with { PseudoLabelCrop = null, PseudoLabelMargins = PseudoLabelMargins.V2 },
        Runtime = Gta2Cs.Runtime with { Seed = 1, Test = TestConfig.Slide(new(1024, 1024), new(512, 512)) },
    };

    /// <summary>HRDA on Synthia→Cityscapes (HRDA paper, ECCV 2022, published 65.8 mIoU;
    /// <c>uda_synthiaHR_to_cityscapesHR_1024x1024.py</c>): as <see cref="HrdaGta2Cs"/> with the Synthia source at
    /// (2560, 1520), i.e. twice its DAFormer scale.</summary>
    public static RunConfig HrdaSynthia2Cs => HrdaGta2Cs with
    {
        Data = HrdaGta2Cs.Data with { Source = DatasetConfig.Synthia with { Scale = new(2560, 1520) } },
    };

    /// <summary>MIC(HRDA) on GTA→Cityscapes (Hoyer et al., "MIC: Masked Image Consistency for Context-Enhanced
    /// Domain Adaptation", CVPR 2023, Table 2; the original's <c>configs/mic/gtaHR2csHR_mic_hrda.py</c>,
    /// experiment 80; published 75.9 mIoU): <see cref="HrdaGta2Cs"/> plus Masked Image Consistency on the 1024²
    /// target crops — block 64, ratio 0.7, <c>separatetrgaug</c>, λ 1 — with seed 2, the seed with median
    /// performance.</summary>
    public static RunConfig MicHrdaGta2Cs => HrdaGta2Cs with
    {
        Uda = HrdaGta2Cs.Uda with { Mic = MicConfig.Hrda },
        Runtime = HrdaGta2Cs.Runtime with { Seed = 2 },
    };

    /// <summary>Plain DACS as in the paper's architecture tables (<c>dacs</c>): EMA α 0.99, no feature distance, no
    /// Rare Class Sampling, no pseudo-label crop.</summary>
    public static RunConfig Dacs(RunConfig cfg) => cfg with
    {
        Uda = cfg.Uda with { Mode = UdaMode.Dacs, EmaAlpha = 0.99, FeatureDistance = null, PseudoLabelCrop = null },
        Data = cfg.Data with { Rcs = null },
    };

    /// <summary>
    /// The config's own training, unchanged — the UDA row between <see cref="SourceOnly"/> and
    /// <see cref="TargetOnly"/> in a list of trainings: <c>new[] { SourceOnly, Adapted, TargetOnly }</c>.
    /// </summary>
    public static RunConfig Adapted(RunConfig cfg) => cfg;

    /// <summary>
    /// Source-only baseline of the same data and network (<c>&lt;src&gt;_to_&lt;tgt&gt;_512x512.py</c>): supervised on
    /// the source with mmseg's PhotoMetricDistortion, no RCS, evaluated on the target validation set.
    /// </summary>
    public static RunConfig SourceOnly(RunConfig cfg) => cfg with
    {
        Uda = cfg.Uda with { Mode = UdaMode.SourceOnly },
        Data = cfg.Data with { Rcs = null, PhotometricDistortion = true },
    };

    /// <summary>
    /// Target-only "oracle" (<c>&lt;tgt&gt;_half_512x512.py</c>): supervised on the labelled target split with
    /// cat_max_ratio 0.75 and PhotoMetricDistortion.
    /// </summary>
    public static RunConfig TargetOnly(RunConfig cfg) => cfg with
    {
        Uda = cfg.Uda with { Mode = UdaMode.TargetOnly },
        Data = cfg.Data with { Rcs = null, PhotometricDistortion = true, CatMaxRatioTarget = 0.75 },
    };

    /// <summary>
    /// CPU-sized DAFormer UDA on the built-in synthetic domains (<c>daformer synth data/synthetic</c>):
    /// MiT-b0 with a 64-channel DAFormer head, 128² crops, batch 2, 1000 iterations. No ImageNet
    /// weights exist offline, so the encoder starts from scratch and FD is off (its "ImageNet"
    /// features would be a random encoder's). EMA α 0.99 because 0.999 averages over ~1000 iterations,
    /// i.e. the whole run. RCS thresholds are scaled to the small images. No pseudo-label crop: the
    /// synthetic target has no ego-car hood or rectification border to hide.
    /// </summary>
    public static RunConfig Quickstart => Gta2Cs with
    {
        Model = Gta2Cs.Model with { Encoder = Encoder.MitB0, Channels = 64, Pretrained = null },
        Data = Gta2Cs.Data with
        {
            Source = DatasetConfig.SyntheticDomain("source", "train", new(256, 128)),
            Target = DatasetConfig.SyntheticDomain("target", "train", new(256, 128)),
            Validation = DatasetConfig.SyntheticDomain("target", "val", new(256, 128)),
            Crop = new(128, 128),
            Workers = 2,
            Rcs = Rcs.On(temperature: 0.01, minPixels: 100, minCropRatio: 0.5),
        },
        Uda = Gta2Cs.Uda with { EmaAlpha = 0.99, FeatureDistance = null, PseudoLabelCrop = null },
        Schedule = Gta2Cs.Schedule with { MaxIters = 1000, Warmup = new(Iters: 50) },
        Runtime = Gta2Cs.Runtime with
        {
            EvalInterval = 250, CheckpointInterval = 250, LogInterval = 10, DebugImageInterval = 250,
        },
    };
}
