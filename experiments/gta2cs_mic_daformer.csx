#r ".refs/DaFormer.Training.dll"
// MIC(DAFormer), GTA → Cityscapes (Hoyer et al., CVPR 2023, Table 1; the original's experiment 81,
// run name gta2cs_dacs_a999_fdthings_rcs001_cpl_m32-07-spta_daformer_sepaspp_mitb5_poly10warm_s0):
// the final DAFormer recipe plus Masked Image Consistency. After the DACS mixed step the student also
// learns the teacher's pseudo-labels of the target from a copy with 70 % of its 32-pixel blocks blanked.
// Every MIC knob is spelled out although `Presets.MicDaformerGta2Cs` has the same values.
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return Gta2Cs with
{
    Uda = Gta2Cs.Uda with
    {
        Mic = new MicConfig
        {
            Mode = MaskMode.SeparateTargetAug,        // mask_mode 'separatetrgaug': the target images, freshly augmented
            BlockSize = 32,                           // mask_generator.mask_block_size: 32² blocks on 512² crops (16×16 grid)
            MaskRatio = 0.7,                          // mask_generator.mask_ratio: a block is blanked when its U(0,1) draw ≤ 0.7
            Lambda = 1,                               // mask_lambda: weight of masked.decode.loss_seg
            ConfidenceWeight = true,                  // mask_pseudo_threshold 'same': DACS's confidence weight (15/120-row crop included)
            ColorJitter = new ColorJitter(Strength: 0.2, Probability: 0.2), // jitter in 80 % of iterations, as DACS
            Blur = true,                              // blur in 50 % of iterations, one σ for the batch
        },
    },
};
