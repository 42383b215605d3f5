#r ".refs/DaFormer.Training.dll"
// HRDA, Synthia → Cityscapes (Hoyer, Dai, Van Gool, ECCV 2022: 65.8 mIoU; the original's
// `uda_synthiaHR_to_cityscapesHR_1024x1024.py`): the GTA recipe of gta2cs_hrda.csx with the Synthia
// source at full resolution.
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return HrdaGta2Cs with
{
    Data = HrdaGta2Cs.Data with
    {
        Source = DatasetConfig.Synthia with { Scale = new ImageSize(2560, 1520) }, // synthiaHR: 1280×760 → 2560×1520 (×2)
    },
};
