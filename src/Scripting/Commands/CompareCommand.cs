using System.CommandLine;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Training.Reports;

namespace DaFormer.Cli.Commands;

/// `daformer compare RUN_DIR...`: one table of final/best mIoU per run, then grouped over seeds.
public static class CompareCommand
{
    public static Command Build()
    {
        var dirs = new Argument<string[]>("RUN_DIR") { Description = "run directories (work_dirs/…)", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("compare", "Compare runs: final and best mIoU per run, and mean ± std over seeds.");
        cmd.Arguments.Add(dirs);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var runs = parse.GetValue(dirs)!.Select(RunComparison.Read).ToList();
            Ui.Table("Runs", ["run", "seed", "iter", "final mIoU", "best mIoU"], runs.Select(r => (IReadOnlyList<string>)
                [r.RunName, r.Seed?.ToString() ?? "-", r.FinalIteration?.ToString() ?? "-", Pct(r.FinalMiou), Pct(r.BestMiou)]));
            Ui.Table("Grouped over seeds (mean ± std)", ["experiment", "runs", "final mIoU", "best mIoU"],
                RunComparison.Group(runs).Select(g => (IReadOnlyList<string>)
                    [g.Group, g.Runs.ToString(), RunComparison.Format(g.FinalMean, g.FinalStd), RunComparison.Format(g.BestMean, g.BestStd)]));
            return 0;
        }));
        return cmd;
    }

    static string Pct(double? v) => v is { } x ? $"{100 * x:F2}" : "-";
}
