using System.Buffers.Binary;
using System.Text;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// The malformed-input corpus: every file is built here (no binary blobs in git) and handed to the
/// command that reads it, in-process. Each case must end with a non-zero exit code and one paragraph
/// that names the file (or the value) and what is expected — no stack trace, no exception type
/// names — and must leave no output file (half-written or otherwise) behind.
[Collection("Console")]
public class MalformedInputTests
{
    /// The shared assertions of the corpus. `mustName` are the pieces the message must contain
    /// (the file, the key, the value).
    internal static void AssertClearRefusal(CliHarness.Result r, params string[] mustName)
    {
        Assert.True(r.ExitCode != 0, $"expected a non-zero exit code, got 0:\n{r.All}");
        var err = r.Err.Trim();
        Assert.False(string.IsNullOrEmpty(err), "no message on stderr:\n" + r.All);
        foreach (var s in mustName) Assert.True(r.All.Contains(s, StringComparison.Ordinal), $"message does not name '{s}':\n{r.All}");
        Assert.DoesNotContain("   at ", r.All);
        Assert.DoesNotContain("Exception", r.All);
        Assert.DoesNotContain("internal error", r.All);
        Assert.DoesNotContain("\n\n", err.Replace("\r", ""));
    }

    /// No file below `dir` except the ones the test wrote itself (`keep`), and no temporary file.
    internal static void AssertNothingWritten(string dir, params string[] keep)
    {
        var extra = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !keep.Contains(f)).ToList();
        Assert.True(extra.Count == 0, "files were written: " + string.Join(", ", extra));
    }

    // ------------------------------------------------------------------ scripts

    [Fact]
    public void An_endless_loop_in_a_script_stops_at_the_time_limit_naming_the_line()
    {
        var script = CliHarness.WriteScript("while (true) { }\nreturn Gta2Cs;");
        var r = CliHarness.Run("config", script, "--script-timeout", "1");
        AssertClearRefusal(r, "test.csx(5)", "time limit", "--script-timeout");
    }

    [Fact]
    public void An_endless_loop_without_braces_is_stopped_too()
    {
        var script = CliHarness.WriteScript("var i = 0;\nfor (;;) i++;\nreturn Gta2Cs;");
        AssertClearRefusal(CliHarness.Run("config", script, "--script-timeout", "0.5"), "time limit");
    }

    [Fact]
    public void Endless_recursion_in_a_script_is_stopped_without_killing_the_host()
    {
        var script = CliHarness.WriteScript("RunConfig Deeper(int n) => Deeper(n + 1);\nreturn Deeper(0);");
        var r = CliHarness.Run("config", script);
        AssertClearRefusal(r, "test.csx(5)", "recursed");
        // The host is alive and a following script still evaluates.
        Assert.Equal(0, CliHarness.Run("config", CliHarness.WriteScript("return Gta2Cs;")).ExitCode);
    }

    [Fact]
    public void Endless_recursion_through_a_block_bodied_method_and_a_property_is_stopped()
    {
        var a = CliHarness.WriteScript("int F(int n) { return F(n + 1) + 1; }\nvar x = F(0);\nreturn Gta2Cs;");
        AssertClearRefusal(CliHarness.Run("config", a), "recursed");
        var b = CliHarness.WriteScript("static int P => P + 1;\nvar y = P;\nreturn Gta2Cs;");
        AssertClearRefusal(CliHarness.Run("config", b), "recursed");
    }

    [Fact]
    public void An_empty_script_says_what_a_script_must_return()
    {
        var dir = Paths.NewTempDir("dfscript");
        var path = Path.Combine(dir, "empty.csx");
        File.WriteAllText(path, "");
        var r = CliHarness.Run("config", path);
        AssertClearRefusal(r, "empty.csx", "RunConfig");
        Assert.DoesNotContain("0 errors", r.All);
    }

    [Fact]
    public void A_script_of_only_directives_and_comments_is_treated_as_empty()
    {
        var r = CliHarness.Run("config", CliHarness.WriteScript("// nothing here\n"));
        AssertClearRefusal(r, "test.csx", "RunConfig");
    }

    [Fact]
    public void Guarded_scripts_keep_their_line_numbers_in_errors()
    {
        // An expression-bodied local function spanning lines, then a throw on line 8.
        var script = CliHarness.WriteScript("int Twice(int n) =>\n    2 * n;\nvar k = Twice(3);\nthrow new DaFormer.Model.DaFormerError(\"line eight\");");
        var r = CliHarness.Run("config", script);
        AssertClearRefusal(r, "test.csx(8)", "line eight");
    }

    [Fact]
    public void A_bad_script_timeout_value_is_refused()
    {
        var r = CliHarness.Run("config", CliHarness.WriteScript("return Gta2Cs;"), "--script-timeout", "-3");
        AssertClearRefusal(r, "--script-timeout -3");
    }
}
