#r ".refs/DaFormer.Training.dll"
// The final DAFormer recipe on Cityscapes → Dark Zurich (night; exp 8): Dark Zurich night images
// as the target at (960, 540); evaluation on the labelled Dark Zurich val split.
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return Cs2DarkZurich;
