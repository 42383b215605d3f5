#r ".refs/DaFormer.Training.dll"
// The final DAFormer recipe on Synthia → Cityscapes (Table 6, exp 7): only the source differs from
// GTA → CS — Synthia RAND-CITYSCAPES at (1280, 760). Report mIoU over 16 and 13 classes, as the paper does for Synthia.
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return Synthia2Cs;
