#r ".refs/DaFormer.Training.dll"
// The architecture of the public parity fixture checkpoint
// (../shared/fixtures/parity_mitb0_daformer/checkpoint_uda.pth): MiT-b0 with the final DAFormer head
// (separable ASPP fusion) at 64 channels instead of 256, 19 Cityscapes classes, evaluated like the
// paper on Cityscapes val at 1024×512. (Pretrained names the ImageNet weights the original trained
// from — FD needs them; demo and test do not read them.) Use it with `daformer demo IMAGE experiments/fixture_mitb0_c64.csx CHECKPOINT`.
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return Gta2Cs.WithModel(m => m with { Encoder = Encoder.MitB0, Channels = 64, Pretrained = "pretrained/mit_b0.pth" });
