using Spectre.Console;

namespace DaFormer.Cli.ConsoleUi;

/// Terminal output: Spectre.Console tables and bars when stdout is a terminal, plain aligned text
/// when it is redirected (Spectre prints nothing for live progress then, and logs want plain lines).
public static class Ui
{
    public static bool Interactive => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null;

    /// Prints a table; columns after the first are right-aligned when every cell parses as a number.
    public static void Table(string? title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var data = rows.ToList();
        var numeric = headers.Select((_, c) => c > 0 && data.Count > 0 && data.All(r => c >= r.Count || IsNumeric(r[c]))).ToArray();
        if (Interactive)
        {
            var t = new Table().Border(TableBorder.Rounded);
            if (title is not null) t.Title(Markup.Escape(title));
            for (var c = 0; c < headers.Count; c++)
            {
                var col = new TableColumn(Markup.Escape(headers[c]));
                if (numeric[c]) col.RightAligned();
                t.AddColumn(col);
            }
            foreach (var r in data) t.AddRow(r.Select(x => Markup.Escape(x)).ToArray());
            AnsiConsole.Write(t);
            return;
        }
        Console.Out.Write(PlainTable(title, headers, data, numeric));
    }

    static bool IsNumeric(string cell) =>
        cell is "nan" or "-" or "" || double.TryParse(cell.TrimEnd('%'), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double _);

    /// Plain-text table (pure, for logs and redirected output).
    public static string PlainTable(string? title, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, bool[]? rightAlign = null)
    {
        var widths = headers.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => c < r.Count ? r[c].Length : 0))).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", widths.Select((w, c) =>
        {
            var s = c < cells.Count ? cells[c] : "";
            return rightAlign is not null && rightAlign[c] ? s.PadLeft(w) : s.PadRight(w);
        })).TrimEnd();
        var sb = new System.Text.StringBuilder();
        if (title is not null) sb.AppendLine(title);
        sb.AppendLine(Line(headers));
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in rows) sb.AppendLine(Line(r));
        return sb.ToString();
    }
}
