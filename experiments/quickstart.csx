#r ".refs/DaFormer.Training.dll"
#load "_base/synthetic.csx"
// The README's first command: DAFormer UDA (DACS + RCS, EMA teacher, ClassMix) from the synthetic
// game-like source to the camera-like target, sized for a CPU. Prints the target per-class IoU and
// `target mIoU: NN.NN` at the end. The data are generated into data/synthetic on first use.
using DaFormer.Training.Config;

return SyntheticUda;
