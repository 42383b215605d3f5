using System.Text.RegularExpressions;
using DaFormer.Cli.Scripts;
using DaFormer.Tests.Support;
using Microsoft.CodeAnalysis.Completion;
using Microsoft.CodeAnalysis.QuickInfo;

namespace DaFormer.Tests.Scripting;

/// <summary>
/// What an editor offers on the experiment scripts, checked with Roslyn's own completion and
/// quick-info services (the engine behind VS Code's C# extension and Visual Studio) on the
/// repository's scripts, with the runner's references and imports and the XML documentation from
/// experiments/.refs/. Then: the errors an editor underlines are the ones `daformer run` prints.
/// </summary>
[Collection("Console")]
public class EditorSupportTests
{
    static string Script(string name) => Path.Combine(Paths.Experiments, name);

    /// <summary>A real script with its `return …;` replaced by <paramref name="body"/>; `$$` marks the caret.</summary>
    static (ScriptWorkspace Ws, int Caret) Editing(string script, string body)
    {
        var path = Script(script);
        var text = File.ReadAllText(path);
        var ret = text.LastIndexOf("return ", StringComparison.Ordinal);
        Assert.True(ret >= 0, $"{script} has no return statement");
        var edited = text[..ret] + body.Replace("$$", "");
        return (ScriptWorkspace.Edit(path, edited), ret + body.IndexOf("$$", StringComparison.Ordinal));
    }

    static async Task<IReadOnlyList<string>> Completions(ScriptWorkspace ws, int caret)
    {
        var service = CompletionService.GetService(ws.Document) ?? throw new InvalidOperationException("no completion service (Features assemblies not composed)");
        var list = await service.GetCompletionsAsync(ws.Document, caret);
        return list.ItemsList.Select(i => i.DisplayText).ToList();
    }

    static async Task<string> Hover(ScriptWorkspace ws, int position)
    {
        var service = QuickInfoService.GetService(ws.Document) ?? throw new InvalidOperationException("no quick-info service");
        var info = await service.GetQuickInfoAsync(ws.Document, position);
        Assert.NotNull(info);
        return string.Join("\n", info!.Sections.Select(s => $"[{s.Kind}] {s.Text}"));
    }

    [Fact]
    public void The_build_puts_the_xml_documentation_beside_the_script_references()
    {
        foreach (var name in new[] { "DaFormer.Training", "DaFormer.Model" })
        {
            var xml = Path.Combine(Paths.Experiments, ".refs", name + ".xml");
            Assert.True(File.Exists(xml), $"{xml} is missing (the Cli build copies it there)");
            Assert.True(File.Exists(Path.ChangeExtension(xml, ".dll")));
        }
        Assert.Contains("P:DaFormer.Training.Config.Presets.Gta2Cs", File.ReadAllText(Path.Combine(Paths.Experiments, ".refs", "DaFormer.Training.xml")));
    }

    [Fact]
    public async Task Completion_inside_a_nested_with_offers_the_uda_knobs()
    {
        var (ws, caret) = Editing("synthia2cs_daformer.csx", "return Gta2Cs with { Uda = Gta2Cs.Uda with { $$ } };");
        using (ws)
        {
            var items = await Completions(ws, caret);
            foreach (var knob in new[] { "EmaAlpha", "FeatureDistance", "PseudoThreshold", "PseudoLabelCrop", "Mode", "ColorJitter", "Blur", "Mix" })
                Assert.Contains(knob, items);
            Assert.DoesNotContain("Temperature", items);   // an Rcs member, not a UdaConfig one
        }
    }

    [Fact]
    public async Task Completion_after_a_preset_and_a_dot_offers_the_one_call_edits()
    {
        var (ws, caret) = Editing("synthia2cs_daformer.csx", "return Synthia2Cs.$$");
        using (ws)
        {
            var items = await Completions(ws, caret);
            foreach (var m in new[] { "WithUda", "WithRcs", "WithData", "WithSeed", "WithSeeds", "WithArchitecture", "Uda", "Data", "Name" })
                Assert.Contains(m, items);
        }
    }

    [Fact]
    public async Task Hover_on_a_preset_shows_its_summary()
    {
        using var ws = ScriptWorkspace.Open(Script("cs2acdc_daformer.csx"));
        var text = (await ws.Document.GetTextAsync()).ToString();
        var shown = await Hover(ws, text.LastIndexOf("Cs2Acdc", StringComparison.Ordinal) + 2);
        Assert.Contains("RunConfig Presets.Cs2Acdc", shown);
        Assert.Contains("[DocumentationComments] Cityscapes→ACDC", shown);
    }

    [Fact]
    public async Task Hover_on_Rcs_On_shows_its_summary()
    {
        using var ws = ScriptWorkspace.Open(Script("ablation_rcs.csx"));
        var text = (await ws.Document.GetTextAsync()).ToString();
        var shown = await Hover(ws, text.IndexOf("Rcs.On(", StringComparison.Ordinal) + "Rcs.".Length + 1);
        Assert.Contains("Rcs.On(", shown);
        Assert.Contains("[DocumentationComments] Rare Class Sampling", shown);
    }

    [Fact]
    public async Task Hover_on_a_record_member_shows_the_papers_name_for_the_knob()
    {
        var (ws, caret) = Editing("synthia2cs_daformer.csx", "return Gta2Cs with { Uda = Gta2Cs.Uda with { Em$$aAlpha = 0.99 } };");
        using (ws)
        {
            var shown = await Hover(ws, caret);
            Assert.Contains("UdaConfig.EmaAlpha", shown);
            Assert.Contains("[DocumentationComments]", shown);
            Assert.Contains("EMA", shown);
        }
    }

    static readonly Regex RunError = new(@"\((\d+),(\d+)\): error (CS\d+):", RegexOptions.Compiled);

    [Fact]
    public async Task The_errors_an_editor_shows_are_the_errors_daformer_run_reports()
    {
        // A real script's imports and #load, with three mistakes a user makes: a misspelt knob, a wrong
        // type and an unknown preset.
        var dir = Paths.NewTempDir("dfeditor");
        var path = Path.Combine(dir, "broken.csx");
        var refs = Path.Combine(Paths.Experiments, ".refs", "DaFormer.Training.dll");
        var text = $$"""
            #r "{{refs}}"
            #load "{{Path.Combine(Paths.Experiments, "_base", "synthetic.csx")}}"
            using DaFormer.Training.Config;
            using static DaFormer.Training.Config.Presets;

            var a = SyntheticUda.WithUda(u => u with { EmaAlfa = 0.99 });
            int iterations = "1000";
            return Gta2Cz.WithIterations(iterations);
            """;
        File.WriteAllText(path, text);

        CliHarness.Init();
        var run = CliHarness.Run("run", path, "--list");
        Assert.Equal(1, run.ExitCode);
        var reported = RunError.Matches(run.Err).Select(m => (Id: m.Groups[3].Value, Line: int.Parse(m.Groups[1].Value), Col: int.Parse(m.Groups[2].Value))).ToList();

        using var ws = ScriptWorkspace.Edit(path, text);
        var compilation = (await ws.Document.Project.GetCompilationAsync())!;
        var shown = ScriptCompiler.Errors(compilation.GetDiagnostics())
            .Select(d => d.Location.GetMappedLineSpan())
            .Zip(ScriptCompiler.Errors(compilation.GetDiagnostics()), (span, d) => (Id: d.Id, Line: span.StartLinePosition.Line + 1, Col: span.StartLinePosition.Character + 1))
            .ToList();

        Assert.Equal(["CS0117", "CS0029", "CS0103"], reported.Select(r => r.Id).ToArray());
        Assert.Equal([6, 7, 8], reported.Select(r => r.Line).ToArray());
        Assert.Equal(reported, shown);
    }
}
