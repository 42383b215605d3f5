#r ".refs/DaFormer.Training.dll"
// MIC(HRDA), GTA → Cityscapes (Hoyer et al., CVPR 2023, Table 2: 75.9 mIoU; the original's
// `configs/mic/gtaHR2csHR_mic_hrda.py`, experiment 80, seed 2): HRDA (1024² crops, a 0.5-scale context
// view and a 512² detail crop fused by a learned scale attention) plus Masked Image Consistency on the
// 1024² target crop with 64-pixel blocks. Every MIC knob is spelled out although
// `Presets.MicHrdaGta2Cs` has the same values.
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return MicHrdaGta2Cs with
{
    Uda = MicHrdaGta2Cs.Uda with
    {
        PseudoLabelCrop = null,                       // no 15/120-row crop under HRDA, but …
        PseudoLabelMargins = new PseudoLabelMargins(Top: 30, Bottom: 240, Left: 30, Right: 30), // … margins v2 of the full 2048×1024 image
        Mic = new MicConfig
        {
            Mode = MaskMode.SeparateTargetAug,        // mask_mode 'separatetrgaug': the target images, freshly augmented
            BlockSize = 64,                           // mask_generator.mask_block_size: 64² blocks on 1024² crops (16×16 grid)
            MaskRatio = 0.7,                          // mask_generator.mask_ratio: a block is blanked when its U(0,1) draw ≤ 0.7
            Lambda = 1,                               // mask_lambda: weight of masked.decode.loss_seg (not of masked.decode.hr.loss_seg)
            ConfidenceWeight = true,                  // mask_pseudo_threshold 'same': DACS's un-mixed confidence weight
            ColorJitter = new ColorJitter(Strength: 0.2, Probability: 0.2), // jitter in 80 % of iterations, as DACS
            Blur = true,                              // blur in 50 % of iterations, one σ for the batch
        },
    },
    Runtime = MicHrdaGta2Cs.Runtime with { Seed = 2 }, // the annotated config's seed (median of seeds 0, 1, 2)
};
