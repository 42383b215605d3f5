using System.Collections;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

/// <summary>
/// An immutable list with value equality, so config records that hold lists (FD classes, no-decay
/// keys, custom class names) still compare by value. Scripts write it as a collection expression:
/// <c>Classes = [6, 7, 11]</c>.
/// </summary>
[CollectionBuilder(typeof(EquatableList), nameof(EquatableList.Create))]
[JsonConverter(typeof(EquatableListJsonConverterFactory))]
public sealed class EquatableList<T> : IReadOnlyList<T>, IEquatable<EquatableList<T>>
{
    readonly T[] items;

    public EquatableList(IEnumerable<T> items) => this.items = items.ToArray();

    /// <summary>The empty list.</summary>
    public static EquatableList<T> Empty { get; } = new([]);

    public int Count => items.Length;
    public T this[int index] => items[index];
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();

    public bool Equals(EquatableList<T>? other) =>
        other is not null && items.AsSpan().SequenceEqual(other.items, EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => Equals(obj as EquatableList<T>);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var x in items) h.Add(x);
        return h.ToHashCode();
    }

    public static bool operator ==(EquatableList<T>? a, EquatableList<T>? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(EquatableList<T>? a, EquatableList<T>? b) => !(a == b);

    public static implicit operator EquatableList<T>(T[] items) => new(items);

    public override string ToString() => "[" + string.Join(", ", items) + "]";
}

/// <summary>Builds <see cref="EquatableList{T}"/> values (collection expressions use <see cref="Create{T}"/>).</summary>
public static class EquatableList
{
    public static EquatableList<T> Create<T>(ReadOnlySpan<T> items) => new(items.ToArray());
    /// <summary>A list of the given items: <c>EquatableList.Of(6, 7, 11)</c> (same as <c>[6, 7, 11]</c>).</summary>
    public static EquatableList<T> Of<T>(params T[] items) => new(items);
}

/// Serialises an <see cref="EquatableList{T}"/> as a plain JSON array.
public sealed class EquatableListJsonConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(EquatableList<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    sealed class Converter<T> : JsonConverter<EquatableList<T>>
    {
        public override EquatableList<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<T[]>(ref reader, options) is { } array ? new EquatableList<T>(array) : null;

        public override void Write(Utf8JsonWriter writer, EquatableList<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToArray(), options);
    }
}
