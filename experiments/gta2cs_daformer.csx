#r ".refs/DaFormer.Training.dll"
// The final DAFormer recipe, GTA → Cityscapes (the original's final config; run name
// gta2cs_dacs_a999_fdthings_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s0). Every knob is spelled
// out here although `Presets.Gta2Cs` already has these values — this file documents the recipe.
using DaFormer.Training.Config;

return new RunConfig
{
    Model = new ModelConfig
    {
        Encoder = Encoder.MitB5,                      // Mix Transformer b5 (82M params), ImageNet-1k weights
        Decoder = Decoder.DaformerSepAspp,            // context-aware fusion: depthwise-separable ASPP over all 4 levels
        Channels = 256,                               // embed dims of the DAFormer head
        NumClasses = 19,                              // Cityscapes train IDs 0…18, 255 = ignore
        DropPathRate = 0.1,                           // MiT stochastic depth
        DropoutRatio = 0.1,                           // Dropout2d before the classifier
        Pretrained = "pretrained/mit_b5.pth",         // ImageNet weights (also the frozen FD reference)
    },
    Data = new DataConfig
    {
        Source = DatasetConfig.Gta,                   // data/gta, resized to (1280, 720) → 1280×704
        Target = DatasetConfig.CityscapesTrain,       // data/cityscapes train, (1024, 512), labels unused
        Validation = DatasetConfig.CityscapesVal,     // Cityscapes val at (1024, 512), scored at full resolution
        Crop = new ImageSize(512, 512),               // random 512² crops
        BatchSize = 2,                                // 2 source + 2 target crops per iteration
        Workers = 4,                                  // loader workers
        CatMaxRatioSource = 0.75,                     // re-draw source crops dominated (≥ 75 %) by one class
        CatMaxRatioTarget = 1.0,                      // off for the target (it has no labels to consult)
        PhotometricDistortion = false,                // DACS does its own colour jitter on the mixed image
        Rcs = Rcs.On(temperature: 0.01, minPixels: 3000, minCropRatio: 0.5), // Rare Class Sampling
    },
    Uda = new UdaConfig
    {
        Mode = UdaMode.Dacs,                          // self-training with an EMA teacher and ClassMix
        EmaAlpha = 0.999,                             // teacher α_i = min(1 − 1/(i+1), 0.999)
        PseudoThreshold = 0.968,                      // confidence for the batch-wide pseudo-label weight
        PseudoLabelCrop = new PseudoLabelCrop(Top: 15, Bottom: 120), // ignore hood / border rows of the target
        Mix = MixKind.Class,                          // ClassMix: paste half of the source classes
        ColorJitter = new ColorJitter(Strength: 0.2, Probability: 0.2), // on the mixed image, 80 % of iterations
        Blur = true,                                  // Gaussian blur of the mixed image, 50 % of iterations
        FeatureDistance = FeatureDistance.Things,     // λ 0.005 towards ImageNet features on thing classes, ratio 0.75
    },
    Optimizer = new OptimizerConfig
    {
        Lr = 6e-5,                                    // AdamW base learning rate (encoder)
        Beta1 = 0.9, Beta2 = 0.999,                   // Adam moments
        WeightDecay = 0.01,                           // decoupled weight decay
        Eps = 1e-8,
        HeadLrMult = 10,                              // decode head trains at 6e-4
        NoDecayKeys = ["norm", "pos_block"],          // no weight decay on the encoder's LayerNorms
    },
    Schedule = new ScheduleConfig
    {
        MaxIters = 40000,                             // 40k iterations (~16 h on one RTX 2080 Ti)
        Power = 1.0,                                  // linear poly decay …
        MinLr = 0.0,                                  // … to zero
        Warmup = new Warmup(Iters: 1500, Ratio: 1e-6), // linear warmup that scales the decayed rate
    },
    Runtime = new RuntimeConfig
    {
        Seed = 0,                                     // the paper averages seeds 0, 1, 2
        EvalInterval = 4000,                          // mIoU on Cityscapes val every 4k iterations
        CheckpointInterval = 40000,                   // one checkpoint, at the end
        LogInterval = 50,
        DebugImageInterval = 1000,                    // source / target / mix / pseudo-label grids
        Test = TestConfig.Whole,                      // whole-image inference
    },
};
