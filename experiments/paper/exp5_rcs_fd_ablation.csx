#r "../.refs/DaFormer.Training.dll"
#load "../_base/paper.csx"
// Table 5 of the DAFormer paper (the original generator's exp 5): what Rare Class Sampling and the
// thing-class ImageNet feature distance add, step by step from plain DACS with SegFormer on MiT-b5
// up to the full recipe (α 0.999, pseudo-label crop), which is also run with DeepLabV2 on
// ResNet-101. Seeds 0, 1, 2: 21 runs. The plain-DACS row is exp 1's.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

var segformer = Dacs(Recipe.WithArchitecture(Encoder.MitB5, Decoder.Segformer));
RunConfig With(RunConfig c, Rcs? rcs = null, FeatureDistance? fd = null, double alpha = 0.99, bool plCrop = false) => c with
{
    Data = c.Data with { Rcs = rcs },
    Uda = c.Uda with { FeatureDistance = fd, EmaAlpha = alpha, PseudoLabelCrop = plCrop ? PseudoLabelCrop.Original : null },
};

RunConfig[] rows =
[
    With(segformer, rcs: Rcs.On(temperature: double.PositiveInfinity)),   // class-uniform sampling
    With(segformer, rcs: Rcs.On(temperature: 0.01)),                       // RCS
    With(segformer, fd: FeatureDistance.AllPixels),                        // FD on all pixels
    With(segformer, fd: FeatureDistance.Things),                           // FD on thing classes
    With(segformer, rcs: Rcs.On(0.01), fd: FeatureDistance.Things),        // RCS + FD things
    With(segformer, rcs: Rcs.On(0.01), fd: FeatureDistance.Things, alpha: 0.999, plCrop: true), // + α 0.999 + PL crop
    With(Dacs(Recipe.WithArchitecture(Encoder.R101V1c, Decoder.Dlv2Red)), rcs: Rcs.On(0.01), fd: FeatureDistance.Things, alpha: 0.999, plCrop: true),
];

return from row in rows
       from seed in PaperSeeds
       select row.WithSeed(seed);
