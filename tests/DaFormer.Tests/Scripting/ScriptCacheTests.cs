using DaFormer.Cli.Scripts;
using DaFormer.Model;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// <summary>
/// The two ways a script runs — freshly compiled (Roslyn's <c>Script.CreateDelegate</c>) and from the
/// on-disk cache (the entry point Roslyn named at compile time) — give the same configs and the same
/// script-line error messages. The cache location is process-wide, hence the Console collection.
/// </summary>
[Collection("Console")]
public class ScriptCacheTests
{
    static T WithCache<T>(string? cacheDir, Func<T> body)
    {
        CliHarness.Init();
        var saved = Environment.GetEnvironmentVariable("DAFORMER_SCRIPT_CACHE");
        Environment.SetEnvironmentVariable("DAFORMER_SCRIPT_CACHE", cacheDir ?? "off");
        try { return body(); }
        finally { Environment.SetEnvironmentVariable("DAFORMER_SCRIPT_CACHE", saved); }
    }

    [Fact]
    public void Fresh_and_cached_runs_of_a_script_give_the_same_configs()
    {
        var script = CliHarness.WriteScript("return from t in new[] { 0.01, 0.1 } select Gta2Cs.WithRcs(Rcs.On(temperature: t)).WithSeed(3);");
        var cache = Paths.NewTempDir("dfcache");

        var uncached = WithCache(null, () => ExperimentScript.Load(script).Configs);
        var first = WithCache(cache, () => ExperimentScript.Load(script).Configs);     // compiles, stores
        var manifest = Assert.Single(Directory.GetFiles(cache, "*.txt"));
        Assert.Single(Directory.GetFiles(cache, "*.dll"));
        var second = WithCache(cache, () => ExperimentScript.Load(script).Configs);    // runs the stored assembly

        Assert.Equal(2, uncached.Count);
        Assert.Equal(0.1, uncached[1].Data.Rcs!.Temperature);
        Assert.Equal(3, uncached[1].Runtime.Seed);
        Assert.Equal(uncached, first);
        Assert.Equal(uncached, second);
        // The stored entry point: the submission type and its method, as Roslyn's symbol API named them.
        Assert.Contains('\t', File.ReadLines(manifest).First());
    }

    [Fact]
    public void A_script_exception_names_its_line_whether_compiled_or_cached()
    {
        var script = CliHarness.WriteScript("\nRunConfig Broken() => throw new System.InvalidOperationException(\"no data here\");\nreturn Broken();");
        var cache = Paths.NewTempDir("dfcache");
        foreach (var dir in new[] { null, cache, cache })
        {
            var e = WithCache(dir, () => Assert.Throws<DaFormerError>(() => ExperimentScript.Load(script)));
            Assert.Contains("test.csx(6): the script threw InvalidOperationException: no data here", e.Message);
        }
    }
}
