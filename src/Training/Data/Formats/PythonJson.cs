using System.Globalization;
using System.Text;

namespace DaFormer.Training.Data.Formats;

/// Serialises like Python's `json.dump(obj, f, indent=2)` (what the original converters call), byte for
/// byte: `,` + newline between items, `": "` after keys, empty containers as `[]`/`{}`, ASCII only
/// (`\uXXXX` lower-case hex, as `ensure_ascii=True`), no trailing newline.
/// Values: string, int/long, `IReadOnlyList<object>` (array), `IEnumerable<KeyValuePair<string, object>>`
/// (object, in enumeration order).
public static class PythonJson
{
    public static string Dump(object value, int indent = 2)
    {
        var sb = new StringBuilder();
        Write(sb, value, indent, 0);
        return sb.ToString();
    }

    static void Write(StringBuilder sb, object value, int indent, int level)
    {
        switch (value)
        {
            case string s: WriteString(sb, s); break;
            case int or long: sb.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)); break;
            case IEnumerable<KeyValuePair<string, object>> obj:
                WriteContainer(sb, '{', '}', obj.ToArray(), indent, level, (kv, l) =>
                {
                    WriteString(sb, kv.Key);
                    sb.Append(": ");
                    Write(sb, kv.Value, indent, l);
                });
                break;
            case IReadOnlyList<object> list:
                WriteContainer(sb, '[', ']', list, indent, level, (item, l) => Write(sb, item, indent, l));
                break;
            default: throw new ArgumentException($"PythonJson cannot serialise {value.GetType().Name}");
        }
    }

    static void WriteContainer<T>(StringBuilder sb, char open, char close, IReadOnlyList<T> items, int indent, int level, Action<T, int> writeItem)
    {
        if (items.Count == 0) { sb.Append(open).Append(close); return; }
        sb.Append(open);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append('\n').Append(' ', indent * (level + 1));
            writeItem(items[i], level + 1);
        }
        sb.Append('\n').Append(' ', indent * level).Append(close);
    }

    static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    // UTF-16 code units: characters beyond the BMP come out as surrogate pairs, as in Python.
                    if (c < 0x20 || c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
