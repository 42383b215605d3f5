#r ".refs/DaFormer.Training.dll"
// Adapting your own domains: a labelled source and an unlabelled target given as folder pairs
// (`images/<name>.jpg` ↔ `labels/<name>.png`, labels holding train IDs 0…N−1, 255 = ignore).
// Everything else is the DAFormer recipe; RCS thresholds are lowered for small images.
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

var layout = new CustomLayout
{
    ImageDir = "images", LabelDir = "labels",              // relative to each data set's root
    ImageSuffix = ".jpg", LabelSuffix = ".png",
    ClassNames = ["background", "road", "vehicle"],
    Palette = [new Rgb(0, 0, 0), new Rgb(128, 64, 128), new Rgb(0, 0, 142)],
    IgnoreIndex = 255,
    Name = "farm",                                         // run names start with farm2farm_…
};
DatasetConfig Domain(string root) => new() { Kind = DatasetKind.Custom, Root = root, Split = "train", Scale = new(1024, 512), Custom = layout };

return Gta2Cs
    .WithModel(m => m with { NumClasses = 3 })
    .WithDomains(source: Domain("data/farm_sim"), target: Domain("data/farm_real"), validation: Domain("data/farm_real_val"))
    .WithRcs(Rcs.On(temperature: 0.01, minPixels: 500))
    // The thing classes of your class list (Cityscapes' [6, 7, 11…18] would be out of range).
    .WithFeatureDistance(FeatureDistance.Things with { Classes = [2] });
