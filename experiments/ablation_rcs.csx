#r ".refs/DaFormer.Training.dll"
// Rare Class Sampling temperature sweep on the final recipe: smaller T samples rare classes more
// often; T = ∞ samples the occurring classes uniformly (`rcsinf`, the paper's Table 5 ablation).
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return from t in new[] { 0.002, 0.01, 0.05, 0.1, double.PositiveInfinity }
       select Gta2Cs.WithRcs(Rcs.On(temperature: t));
