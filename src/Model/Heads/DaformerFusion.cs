namespace DaFormer.Model.Heads;

/// The DAFormer head's fusion variants (spec §3.2, §3.3), named as in the original experiments.
public enum DaformerFusion
{
    /// Final DAFormer: depthwise-separable ASPP (dilations 1,6,12,18) + 3×3 bottleneck.
    SepAspp,
    /// ASPP with plain 3×3 dilated convs ("w/o DSC").
    Aspp,
    /// A single 1×1 ConvModule ("SegF. with C_e = 256").
    Conv1,
    /// Context only at F4: F4 upsampled ×8 by the neck, level-4 embedding = 1×1 conv + sep-ASPP,
    /// fusion = 1×1 ConvModule.
    SepAsppBottleneck,
    /// Interlaced sparse self-attention (ISANet's) after a 1×1 ConvModule (decoder study).
    Isa,
}
