using System.Text.Json;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// `daformer bench original` drives the original's benchmark process (bench/original/bench_original.py)
/// through a line protocol. These tests stand a scripted "python" in for it, so they need no PyTorch:
/// it answers `import torch`, the fixture check and the serve protocol with fixed figures, and records
/// what it was asked. (The real script checks its own network against the original's fixture; the
/// command runs that check before every timing.)
[Collection("Console")]
public class BenchOriginalCommandTests
{
    /// A bash "python": `-c …` succeeds, `--check` prints `checkLine` and exits `checkExit`, `--serve`
    /// reports a runtime (its allocator is "tcmalloc" only when LD_PRELOAD names it) and answers each
    /// "train" with the next of 9000, 7000, 5000, … ms, "infer" with 2000 ms, or exits on `dieOn`.
    static string FakePython(string dir, string checkLine = "fixture check: passed", int checkExit = 0, string dieOn = "")
    {
        var log = Path.Combine(dir, "calls.txt");
        var path = Path.Combine(dir, "python");
        File.WriteAllText(path, $$"""
            #!/bin/bash
            echo "$*" >> "{{log}}"
            if [ "$1" = "-c" ]; then exit 0; fi
            case " $* " in
              *" --check "*) echo "  backbone_out0: relL2 1e-07"; echo "{{checkLine}}"; exit {{checkExit}} ;;
            esac
            alloc=glibc; case "$LD_PRELOAD" in *tcmalloc*) alloc=tcmalloc ;; esac
            echo "serve mark=${DAFORMER_TEST_MARK:-}" >> "{{log}}"
            echo "{\"ready\": true, \"torch\": \"1.13.1\", \"threads\": 2, \"blas\": \"OpenBLAS Haswell\", \"allocator\": \"$alloc\", \"omp_wait_policy\": \"${OMP_WAIT_POLICY:-default}\"}"
            t=9000
            while read -r cmd; do
              if [ "$cmd" = "{{dieOn}}" ]; then echo "Traceback (most recent call last):" >&2; echo "RuntimeError: out of memory" >&2; exit 1; fi
              case "$cmd" in
                train) echo "{\"train\": $t}"; t=$((t - 2000)) ;;
                infer) echo "{\"infer\": 2000}" ;;
                rss) echo "{\"peak_rss_mb\": 1234.4}" ;;
                quit) exit 0 ;;
              esac
            done
            """.Replace("\r\n", "\n"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    static CliHarness.Result Bench(string python, params string[] extra) =>
        CliHarness.Run(["bench", "original", "mit_b0", "--crop", "64", "--batch", "1", "--iters", "2", "--infer", "96x64",
                        "--python", python, "--fixture", Paths.ParityDir, .. extra]);

    [Fact]
    public void Prints_one_json_line_with_both_sides_and_the_original_on_its_own_allocator()
    {
        var dir = Paths.NewTempDir("dfbo");
        var r = Bench(FakePython(dir));
        Assert.True(r.ExitCode == 0, r.All);
        var lines = r.Out.Trim().Split('\n');
        Assert.Single(lines);
        var j = JsonDocument.Parse(lines[0]).RootElement;
        // Warm-up 9000 ms is not timed; the two timed rounds answered 7000 and 5000.
        Assert.Equal(6000, j.GetProperty("original_train_step_ms").GetDouble());
        Assert.Equal(2000, j.GetProperty("original_infer_ms").GetDouble());
        var ours = j.GetProperty("train_step_ms").GetDouble();
        Assert.True(ours > 0, lines[0]);
        // Speed-up = original / ours. The JSON rounds ms to 0.1 (relative error ≤ 0.05 / ms) and the
        // speed-up to 0.01.
        static double Tolerance(double speedup, double ms) => 0.006 + speedup * 0.051 / ms;
        var speedup = j.GetProperty("train_speedup").GetDouble();
        Assert.Equal(6000 / ours, speedup, Tolerance(speedup, ours));
        var inferMs = j.GetProperty("infer_ms").GetDouble();
        var inferSpeedup = j.GetProperty("infer_speedup").GetDouble();
        Assert.Equal(2000 / inferMs, inferSpeedup, Tolerance(inferSpeedup, inferMs));
        Assert.Equal("OpenBLAS Haswell", j.GetProperty("original_blas").GetString());
        Assert.Equal("glibc", j.GetProperty("original_allocator").GetString());
        Assert.Equal(1234, j.GetProperty("original_peak_rss_mb").GetDouble());

        var calls = File.ReadAllLines(Path.Combine(dir, "calls.txt"));
        Assert.Contains(calls, c => c.Contains("--check " + Paths.ParityDir));
        var serve = Assert.Single(calls, c => c.Contains("--serve"));
        Assert.Contains("--arch mit_b0 --crop 64 --batch 1 --infer 96x64", serve);
        Assert.Contains("training step 2/2: original 5000 ms", r.Err);
    }

    [Fact]
    public void Original_env_sets_and_unsets_variables_of_the_original_only()
    {
        var dir = Paths.NewTempDir("dfbo");
        var before = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE");
        try
        {
            var r = Bench(FakePython(dir), "--original-env", "DAFORMER_TEST_MARK=7", "--original-env", "OMP_WAIT_POLICY=");
            Assert.True(r.ExitCode == 0, r.All);
            var j = JsonDocument.Parse(r.Out.Trim()).RootElement;
            Assert.Equal("default", j.GetProperty("original_omp_wait_policy").GetString()); // unset for the original
            Assert.Equal("PASSIVE", j.GetProperty("omp_wait_policy").GetString());          // ours as it was
            Assert.Contains("serve mark=7", File.ReadAllLines(Path.Combine(dir, "calls.txt")));
            Assert.Null(Environment.GetEnvironmentVariable("DAFORMER_TEST_MARK"));
        }
        finally { Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", before); }

        var bad = Bench(FakePython(Paths.NewTempDir("dfbo")), "--original-env", "OMP_WAIT_POLICY");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--original-env 'OMP_WAIT_POLICY': expected NAME=VALUE", bad.Err);
    }

    [Fact]
    public void A_network_that_fails_the_fixture_check_is_not_timed()
    {
        var dir = Paths.NewTempDir("dfbo");
        var r = Bench(FakePython(dir, "fixture check: FAILED grad.backbone.norm4.weight", checkExit: 1));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("does not reproduce the original's fixture", r.Err);
        Assert.Contains("FAILED grad.backbone.norm4.weight", r.Err);
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(dir, "calls.txt")), c => c.Contains("--serve"));
        Assert.Equal("", r.Out.Trim());
    }

    [Fact]
    public void An_original_that_dies_gives_its_last_output_not_a_stack_trace()
    {
        var dir = Paths.NewTempDir("dfbo");
        var r = Bench(FakePython(dir, dieOn: "train"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ended during 'train'", r.Err);
        Assert.Contains("RuntimeError: out of memory", r.Err);
        Assert.DoesNotContain("   at DaFormer.", r.Err);
    }

    [Fact]
    public void Without_a_python_that_has_torch_it_says_how_to_get_one()
    {
        var dir = Paths.NewTempDir("dfbo");
        var noTorch = Path.Combine(dir, "python");
        File.WriteAllText(noTorch, "#!/bin/bash\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
        File.SetUnixFileMode(noTorch, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var r = CliHarness.Run("bench", "original", "mit_b0", "--python", noTorch);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"{noTorch} cannot `import torch`", r.Err);
        Assert.Contains("apt-get install python3-torch", r.Err);
    }

    [Fact]
    public void Other_networks_than_mit_are_refused_with_the_reason()
    {
        var r = CliHarness.Run("bench", "original", "r101", "--python", "/nonexistent/python");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ARCH 'r101'", r.Err);
        Assert.Contains("use one of mit_b0, mit_b1, mit_b2, mit_b3, mit_b4, mit_b5.", r.Err);
    }
}
