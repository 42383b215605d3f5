#r ".refs/DaFormer.Training.dll"
// The final DAFormer recipe on Cityscapes → ACDC (adverse weather; exp 8): Cityscapes as the labelled
// source at (1024, 512), ACDC train as the target and ACDC val for evaluation at (960, 540).
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return Cs2Acdc;
