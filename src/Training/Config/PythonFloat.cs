using System.Globalization;

namespace DaFormer.Training.Config;

/// Python's `repr(float)` / `str(float)` (shortest round-trip digits; scientific notation when the
/// decimal exponent is &lt; −4 or ≥ 16; integral values keep ".0"; `inf`, `nan`). The original builds
/// run names with f-strings (`f'_rcs{rcs_T}'` → `_rcs0.01`, `_rcsinf`), so names must format
/// numbers exactly as Python does.
public static class PythonFloat
{
    public static string Repr(double x)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsPositiveInfinity(x)) return "inf";
        if (double.IsNegativeInfinity(x)) return "-inf";
        if (x == 0) return double.IsNegative(x) ? "-0.0" : "0.0";

        // .NET's "R" gives the shortest round-trip digits; take them apart into sign, digits, exponent.
        var shortest = x.ToString("R", CultureInfo.InvariantCulture);
        var (negative, digits, exp10) = Decompose(shortest);

        string body;
        if (exp10 < -4 || exp10 >= 16)
        {
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            body = $"{mantissa}e{(exp10 < 0 ? "-" : "+")}{Math.Abs(exp10):00}";
        }
        else if (exp10 < 0)
        {
            body = "0." + new string('0', -exp10 - 1) + digits;
        }
        else if (digits.Length <= exp10 + 1)
        {
            body = digits + new string('0', exp10 + 1 - digits.Length) + ".0";
        }
        else
        {
            body = digits[..(exp10 + 1)] + "." + digits[(exp10 + 1)..];
        }
        return negative ? "-" + body : body;
    }

    /// "1.25E-05" / "0.001" / "12345" → (negative, significant digits without leading/trailing zeros,
    /// decimal exponent of the first digit).
    static (bool Negative, string Digits, int Exp10) Decompose(string s)
    {
        var negative = s.StartsWith('-');
        if (negative) s = s[1..];
        var exp = 0;
        var e = s.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(s[(e + 1)..], CultureInfo.InvariantCulture);
            s = s[..e];
        }
        var dot = s.IndexOf('.');
        var intPart = dot >= 0 ? s[..dot] : s;
        var fracPart = dot >= 0 ? s[(dot + 1)..] : "";
        var all = intPart + fracPart;
        var pointPos = intPart.Length + exp; // digits before the decimal point
        var firstNonZero = 0;
        while (firstNonZero < all.Length && all[firstNonZero] == '0') firstNonZero++;
        var digits = all[firstNonZero..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        return (negative, digits, pointPos - firstNonZero - 1);
    }
}
