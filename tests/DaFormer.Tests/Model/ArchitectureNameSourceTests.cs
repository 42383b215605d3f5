using System.Reflection;
using System.Text.RegularExpressions;
using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;

namespace DaFormer.Tests.Model;

/// One place for architecture names: the model table (EncoderNames, HeadNames, ArchitectureTable).
/// The config enums, ArchitectureGuess, the original-config reader and `model describe` take them
/// from there; no other source file spells one.
public class ArchitectureNameSourceTests
{
    static IEnumerable<string> Consts(Type t) =>
        t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void Every_name_constant_is_a_table_entry_and_every_entry_has_one()
    {
        var encoders = ArchitectureTable.Encoders.Select(e => e.Name).ToList();
        var heads = ArchitectureTable.Heads.SelectMany(h => new[] { h.Name }.Concat(h.Aliases ?? [])).ToList();
        Assert.Equal(encoders.Append(EncoderNames.MitB5Del).Order(), Consts(typeof(EncoderNames)).Order());
        Assert.Equal(heads.Order(), Consts(typeof(HeadNames)).Order());
        Assert.Equal(ArchitectureTable.Encoder(EncoderNames.MitB5), ArchitectureTable.Encoder(EncoderNames.MitB5Del));
    }

    [Fact]
    public void The_config_enums_are_table_names_and_pair_only_as_the_table_allows()
    {
        foreach (var e in Enum.GetValues<Encoder>())
            Assert.True(ArchitectureTable.FindEncoder(e.Name()) is not null, $"{e} → {e.Name()}");
        foreach (var d in Enum.GetValues<Decoder>())
            Assert.Equal(d.Name(), ArchitectureTable.Head(d.Name()).Name);
        var beyond = (from e in Enum.GetValues<Encoder>()
                      from d in Enum.GetValues<Decoder>()
                      where ArchitectureNames.Fits(e, d) && !ArchitectureTable.Fits(e.Info(), d.Info())
                      select $"{e.Name()} + {d.Name()}").ToList();
        Assert.True(beyond.Count == 0, "the config allows what the model table refuses: " + string.Join(", ", beyond));
    }

    [Fact]
    public void No_source_file_but_the_table_spells_an_architecture_name()
    {
        // "daformer" (the head alias) is also the program's name; it is left out of the search.
        var names = Consts(typeof(EncoderNames)).Concat(Consts(typeof(HeadNames))).Where(n => n != HeadNames.Daformer).ToList();
        var literal = new Regex("\"(" + string.Join("|", names.Select(Regex.Escape)) + ")\"");
        var src = Path.Combine(Paths.RepoRoot, "src");
        var hits = (from file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
                    where !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                          && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                          && Path.GetFileName(file) != "ArchitectureTable.cs"
                    from line in File.ReadLines(file).Select((text, i) => (text, i))
                    where !line.text.TrimStart().StartsWith("//") && literal.IsMatch(line.text)
                    select $"{Path.GetRelativePath(src, file)}:{line.i + 1}: {line.text.Trim()}").ToList();
        Assert.True(hits.Count == 0, "architecture names outside the table:\n" + string.Join("\n", hits));
    }
}
