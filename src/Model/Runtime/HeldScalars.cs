using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Runtime;

/// Tensor arithmetic with numbers whose TorchSharp `Scalar`s stay referenced until libtorch returns.
///
/// Why: TorchSharp 0.107 turns a .NET number into a `Scalar` implicitly (`x * 0.5`, `x.mul(0.5)`), and
/// its own `Tensor.add(Tensor)`, `+`, `add_` and BatchNorm's batch counter pass an implicit
/// `alpha = 1`. Nothing references such a Scalar once its handle has been handed to the native call,
/// so a garbage collection started by another thread (a data loader) during that call lets the
/// finalizer free it while libtorch still reads it. Runs then stopped at random iterations with
/// "Expected false to be true … Exception raised from toFloat/toBFloat16 at c10/core/Scalar.h"
/// (docs/scalar-lifetime.md). Every helper here holds its Scalar in a `using` across the call, and
/// the constants are process-lifetime statics. `ImplicitScalarSourceTests` keeps src/ free of the
/// unheld forms.
public static class HeldScalars
{
    /// The integer 1, as TorchSharp passes it for `alpha` (never disposed: lives as long as the process).
    public static readonly Scalar One = 1.ToScalar();

    /// a + b (TorchSharp's `a + b` with a held `alpha = 1`).
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// a += b in place (`a.add_(b)` with a held `alpha = 1`); returns `a`.
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// a + c.
    public static Tensor Plus(this Tensor a, double c) => Held(c, s => a.add(s, One));

    /// a += c in place; returns `a`.
    public static Tensor PlusInPlace(this Tensor a, double c) => Held(c, s => a.add_(s, One));

    /// a += c in place for an integer `c` (an integer Scalar, as `add_(1)` makes); returns `a`.
    public static Tensor PlusInPlace(this Tensor a, long c) => Held(c, s => a.add_(s, One));

    /// a + k·b (`a.add(b, alpha: k)`).
    public static Tensor PlusScaled(this Tensor a, Tensor b, double k) => Held(k, s => a.add(b, s));

    /// a += k·b in place; returns `a`.
    public static Tensor PlusScaledInPlace(this Tensor a, Tensor b, double k) => Held(k, s => a.add_(b, s));

    /// a − c.
    public static Tensor Minus(this Tensor a, double c) => Held(c, s => a.sub(s));

    /// c − a, computed as TorchSharp's `c - a` does: (−a) + c (the same number: IEEE subtraction is
    /// the addition of the negation).
    public static Tensor SubtractedFrom(this Tensor a, double c)
    {
        using var s = c.ToScalar();
        using var negated = a.neg();
        return negated.add(s, One);
    }

    /// a · k.
    public static Tensor Times(this Tensor a, double k) => Held(k, s => a.mul(s));

    /// a ·= k in place; returns `a`.
    public static Tensor TimesInPlace(this Tensor a, double k) => Held(k, s => a.mul_(s));

    /// a / k.
    public static Tensor DividedBy(this Tensor a, double k) => Held(k, s => a.div(s));

    /// a /= k in place; returns `a`.
    public static Tensor DividedByInPlace(this Tensor a, double k) => Held(k, s => a.div_(s));

    /// a clamped to [lo, hi].
    public static Tensor Clamped(this Tensor a, double lo, double hi)
    {
        using var l = lo.ToScalar();
        using var h = hi.ToScalar();
        return a.clamp(l, h);
    }

    /// a clamped to [lo, hi] in place; returns `a`.
    public static Tensor ClampedInPlace(this Tensor a, double lo, double hi)
    {
        using var l = lo.ToScalar();
        using var h = hi.ToScalar();
        return a.clamp_(l, h);
    }

    /// Fills `a` with `c` in place; returns `a`.
    public static Tensor FilledWith(this Tensor a, double c) => Held(c, s => a.fill_(s));

    /// a + c for an integer `c` (an integer Scalar, as `a + 6` makes).
    public static Tensor Plus(this Tensor a, long c) => Held(c, s => a.add(s, One));

    /// a − c for an integer `c` (an integer Scalar, as `a - 2` makes).
    public static Tensor Minus(this Tensor a, long c) => Held(c, s => a.sub(s));

    /// a · k for an integer `k` (an integer Scalar: an int64 tensor stays int64).
    public static Tensor Times(this Tensor a, long k) => Held(k, s => a.mul(s));

    /// a / k (true division) for an integer `k`, as `a.div(4)` makes.
    public static Tensor DividedBy(this Tensor a, long k) => Held(k, s => a.div(s));

    /// ⌊a / k⌋ for an integer `k` (`a.div(k, rounding_mode: floor)`).
    public static Tensor FloorDividedBy(this Tensor a, long k) => Held(k, s => a.div(s, rounding_mode: RoundingMode.floor));

    /// a raised to the integer power `p` (`a.pow(p)`).
    public static Tensor Power(this Tensor a, long p) => Held(p, s => a.pow(s));

    /// Python's a mod k, with the sign of `k` (`a.remainder(k)`).
    public static Tensor Remainder(this Tensor a, double k) => Held(k, s => a.remainder(s));

    /// C's fmod(a, k), with the sign of `a` (`a.fmod(k)`).
    public static Tensor Fmod(this Tensor a, double k) => Held(k, s => a.fmod(s));

    /// a clamped to the integer bounds [lo, hi] (integer Scalars, as `clamp(0, 255)` makes).
    public static Tensor Clamped(this Tensor a, long lo, long hi)
    {
        using var l = lo.ToScalar();
        using var h = hi.ToScalar();
        return a.clamp(l, h);
    }

    /// Whether a equals the integer `c` (`a.eq(c)`).
    public static Tensor Equal(this Tensor a, long c) => Held(c, s => a.eq(s));

    /// Whether a is below the integer `c` (`a.lt(c)`).
    public static Tensor Less(this Tensor a, long c) => Held(c, s => a.lt(s));

    /// Whether a is below `c` (`a.lt(c)`).
    public static Tensor Less(this Tensor a, double c) => Held(c, s => a.lt(s));

    /// Whether a is above the integer `c` (`a.gt(c)`).
    public static Tensor Greater(this Tensor a, long c) => Held(c, s => a.gt(s));

    /// Whether a is above `c` (`a.gt(c)`).
    public static Tensor Greater(this Tensor a, double c) => Held(c, s => a.gt(s));

    /// Whether a is at least the integer `c` (`a.ge(c)`).
    public static Tensor GreaterOrEqual(this Tensor a, long c) => Held(c, s => a.ge(s));

    /// Whether a is at least `c` (`a.ge(c)`).
    public static Tensor GreaterOrEqual(this Tensor a, double c) => Held(c, s => a.ge(s));

    /// A copy of `a` holding the integer `c` where `mask` is true (`a.masked_fill(mask, c)`).
    public static Tensor FilledWhere(this Tensor a, Tensor mask, long c) => Held(c, s => a.masked_fill(mask, s));

    /// A copy of `a` holding `c` where `mask` is true (`a.masked_fill(mask, c)`).
    public static Tensor FilledWhere(this Tensor a, Tensor mask, double c) => Held(c, s => a.masked_fill(mask, s));

    /// `full_like(like, c, dtype)`: a tensor shaped like `like` filled with `c`.
    public static Tensor FullLike(Tensor like, double c, ScalarType? dtype = null) => Held(c, s => full_like(like, s, dtype: dtype));

    /// `arange(stop, dtype, device)`: 0, 1, …, stop − 1 (TorchSharp's overload passes unheld integer
    /// Scalars 0 and 1 for start and step; these are held here).
    public static Tensor Arange(long stop, ScalarType dtype, Device? device = null)
    {
        using var start = 0.ToScalar();
        using var end = stop.ToScalar();
        return arange(start, end, One, dtype, device);
    }

    /// Runs `op` with `value` as a Scalar that stays referenced until `op` (the native call) has returned.
    static Tensor Held(double value, Func<Scalar, Tensor> op)
    {
        using var s = value.ToScalar();
        return op(s);
    }

    /// As above for an integer value (an integer Scalar, as TorchSharp makes from an int).
    static Tensor Held(long value, Func<Scalar, Tensor> op)
    {
        using var s = value.ToScalar();
        return op(s);
    }
}
