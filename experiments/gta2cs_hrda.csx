#r ".refs/DaFormer.Training.dll"
// HRDA, GTA → Cityscapes (Hoyer, Dai, Van Gool, ECCV 2022: 73.8 mIoU; the original's
// `configs/hrda/gtaHR2csHR_hrda.py`, seed 1): the DAFormer recipe trained on 1024² crops of the
// full-resolution images through a 0.5-scale context view of the whole crop and a 512² detail crop at
// full resolution, fused by a learned scale attention. Every HRDA knob is spelled out although
// `Presets.HrdaGta2Cs` has the same values — this file documents the recipe.
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return Gta2Cs with
{
    Model = Gta2Cs.Model with
    {
        Hrda = new HrdaConfig
        {
            Scales = [1.0, 0.5],                      // scales: detail view at 1, context view of the whole crop at 0.5
            DetailCrop = new ImageSize(512, 512),     // hr_crop_size: the detail crop, also the HR sliding window
            CropCoordDivisible = 8,                   // crop_coord_divisible: detail-crop offsets are multiples of 8
            AttentionClasswise = true,                // attention_classwise: one attention channel per class (19)
            HrLossWeight = 0.1,                       // hr_loss_weight λ_d: loss of the detail crop's own logits
            LrLossWeight = 0,                         // lr_loss_weight: no extra context loss (detail crop < training crop)
            AttentionEmbedDim = 256,                  // attention_embed_dim: channels of the scale-attention head
            FixedAttention = null,                    // fixed_attention: learned attention
            HrSlideInference = true,                  // hr_slide_inference: pseudo-labels / test slide 512² windows over the HR image
            HrSlideOverlapping = true,                // hr_slide_overlapping: HR windows overlap by half (stride 256)
            FeatureScale = 0.5,                       // feature_scale: FD compares the context view's features
            BlurHrCrop = false,                       // blur_hr_crop: ablation only
            BatchedSlide = true,                      // test_cfg.batched_slide: all windows in one forward pass
        },
    },
    Data = Gta2Cs.Data with
    {
        Source = DatasetConfig.Gta with { Scale = new ImageSize(2560, 1440) },                  // gtaHR: 1914×1052 → 2560×1407
        Target = DatasetConfig.CityscapesTrain with { Scale = new ImageSize(2048, 1024) },      // cityscapesHR: full 2048×1024
        Validation = DatasetConfig.CityscapesVal with { Scale = new ImageSize(2048, 1024) },    // evaluated at full resolution
        Crop = new ImageSize(1024, 1024),             // random 1024² crops of source and target
        Workers = 1,                                  // workers_per_gpu 1 (DAFormer: 4)
        Rcs = Rcs.On(temperature: 0.01, minPixels: 3000, minCropRatio: 2.0), // a crop needs > 6000 pixels of the class (4× DAFormer's)
    },
    Uda = Gta2Cs.Uda with
    {
        PseudoLabelCrop = null,                       // no 15/120-row crop under HRDA, but …
        PseudoLabelMargins = new PseudoLabelMargins(Top: 30, Bottom: 240, Left: 30, Right: 30), // … margins v2 of the full 2048×1024 image
    },
    Runtime = Gta2Cs.Runtime with
    {
        Seed = 1,                                     // the annotated config's seed
        Test = TestConfig.Slide(new ImageSize(1024, 1024), new ImageSize(512, 512)), // slide test: 1024² windows, stride 512
    },
};
