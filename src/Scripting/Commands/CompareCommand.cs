using System.CommandLine;
using System.Globalization;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Training.Reports;

namespace DaFormer.Cli.Commands;

/// `daformer compare RUN_DIR...`: one table of final/best mIoU (percent) per run, then one row per
/// experiment — runs whose configs are equal except for the seed — with n and mean ± std.
public static class CompareCommand
{
    public static Command Build()
    {
        var dirs = new Argument<string[]>("RUN_DIR") { Description = "run directories (work_dirs/…)", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("compare", "Compare runs: final and best mIoU (%) per run, and mean ± std over runs that differ only in the seed.");
        cmd.Arguments.Add(dirs);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var runs = parse.GetValue(dirs)!.Select(RunComparison.Read).ToList();
            Ui.Table("Runs (mIoU in %)", ["run", "seed", "iter", "final mIoU", "best mIoU"], runs.Select(r => (IReadOnlyList<string>)
                [r.RunName, r.Seed?.ToString(CultureInfo.InvariantCulture) ?? "-", r.FinalIteration?.ToString(CultureInfo.InvariantCulture) ?? "-",
                 RunComparison.Format(r.FinalMIoUPercent, null), RunComparison.Format(r.BestMIoUPercent, null)]));
            GroupTable("Grouped over seeds (same config except the seed; mean ± std)", RunComparison.Group(runs));
            return 0;
        }));
        return cmd;
    }

    /// One row per experiment: n runs, final and best mIoU (mean ± sample std; the mean alone for n = 1).
    public static void GroupTable(string title, IReadOnlyList<GroupResult> groups) =>
        Ui.Table(title, ["experiment", "n", "final mIoU", "best mIoU"], groups.Select(g => (IReadOnlyList<string>)
            [g.Group, g.Runs.ToString(CultureInfo.InvariantCulture), RunComparison.Format(g.FinalMean, g.FinalStd), RunComparison.Format(g.BestMean, g.BestStd)]));
}
