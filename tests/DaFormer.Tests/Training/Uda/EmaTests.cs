using System.Text.Json;
using DaFormer.Tests.Support;
using DaFormer.Training.Uda;
using FsCheck;
using FsCheck.Fluent;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

public class EmaTests
{
    static JsonElement Fixture => FixtureJson.Algorithms.GetProperty("ema");

    static Tensor Matrix(JsonElement e) => e.ValueKind == JsonValueKind.Array && e[0].ValueKind == JsonValueKind.Array
        ? stack(e.EnumerateArray().Select(Matrix).ToArray())
        : tensor(FixtureJson.Numbers(e).Select(x => (float)x).ToArray());

    static Parameter[] Params(JsonElement e) => [new Parameter(Matrix(e.GetProperty("w"))), new Parameter(Matrix(e.GetProperty("b")))];

    [Fact]
    public void Alpha_matches_the_original_formula_values()
    {
        var iters = FixtureJson.Ints(Fixture.GetProperty("iters"));
        var expected = FixtureJson.Numbers(Fixture.GetProperty("alpha_teacher"));
        var alpha = Fixture.GetProperty("alpha").GetDouble();
        for (var k = 0; k < iters.Length; k++)
            Assert.Equal(expected[k], Ema.Alpha(iters[k], alpha), 15);
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 2.0 / 3.0)]
    [InlineData(10, 0.909091)]
    [InlineData(100, 0.990099)]
    [InlineData(999, 0.999)]
    [InlineData(5000, 0.999)]
    public void Alpha_matches_spec_9_4(int iter, double expected) => Assert.Equal(expected, Ema.Alpha(iter, 0.999), 6);

    [Fact]
    public void Update_at_iteration_10_matches_the_original()
    {
        var ex = Fixture.GetProperty("update_example");
        var teacher = Params(ex.GetProperty("ema_before"));
        var student = Params(ex.GetProperty("student"));
        var after = Params(ex.GetProperty("ema_after"));
        Ema.UpdateTeacher(teacher, student, ex.GetProperty("iter").GetInt32(), ex.GetProperty("alpha").GetDouble());
        for (var i = 0; i < 2; i++)
            Assert.True(teacher[i].allclose(after[i], rtol: 0, atol: 1e-6), $"param {i}");
        Assert.False(teacher[0].requires_grad && teacher[0].grad is not null);
    }

    [Fact]
    public void Iteration_zero_copies_the_student()
    {
        var ex = Fixture.GetProperty("update_example");
        var teacher = Params(ex.GetProperty("ema_before"));
        var student = Params(ex.GetProperty("student"));
        Ema.UpdateTeacher(teacher, student, 0, 0.999);
        Assert.True(Same(teacher[0], student[0]));
        Assert.True(Same(teacher[1], student[1]));
        // A copy, not an alias: changing the student later leaves the teacher alone.
        using (no_grad()) student[0].add_(1);
        Assert.False(Same(teacher[0], student[0]));
    }

    [Fact]
    public void Mismatched_parameter_lists_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Ema.UpdateTeacher([new Parameter(zeros(2))], [], 3, 0.9));
        Assert.Throws<ArgumentException>(() => Ema.UpdateTeacher([new Parameter(zeros(2))], [new Parameter(zeros(3))], 3, 0.9));
    }

    static bool Same(Tensor a, Tensor b) => a.eq(b).all().item<bool>();

    static Gen<float[]> Floats => Gen.ArrayOf(Gen.Choose(-100000, 100000).Select(x => x / 1000f)).Where(a => a.Length > 0);

    [FsCheck.Xunit.Property(MaxTest = 30)]
    public Property Coefficient_zero_copies_the_student_and_one_keeps_the_teacher() =>
        Prop.ForAll(Arb.From(Floats), Arb.From(Floats), (a, b) =>
        {
            var n = Math.Min(a.Length, b.Length);
            Parameter T() => new(tensor(a[..n]));
            Parameter S() => new(tensor(b[..n]));
            var t0 = T(); var s0 = S();
            Ema.Blend([t0], [s0], 0.0);
            var t1 = T(); var s1 = S();
            Ema.Blend([t1], [s1], 1.0);
            // alpha = 0 in the DACS update: α_i = min(…, 0) = 0 → the teacher becomes the student.
            var t2 = T(); var s2 = S();
            Ema.UpdateTeacher([t2], [s2], 7, 0.0);
            return Same(t0, s0) && Same(t1, T()) && Same(t2, s2);
        });
}
