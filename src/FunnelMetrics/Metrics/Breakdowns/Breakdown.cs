using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One group of a breakdown: the group's key and the metric computed for the group alone.</summary>
/// <typeparam name="T">The metric's result type.</typeparam>
public sealed class Breakdown<T> : IEquatable<Breakdown<T>>
{
    [JsonConstructor]
    internal Breakdown(string key, T result)
    {
        Key = key;
        Result = result;
    }

    /// <summary>The group: an owner id, an attribute value, or an entry period such as <c>2026-03</c>, <c>2026-W10</c> or <c>2026-03-02</c>.</summary>
    public string Key { get; }

    /// <summary>The metric for the group.</summary>
    public T Result { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(Breakdown<T>? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && string.Equals(Key, other.Key, StringComparison.Ordinal)
            && EqualityComparer<T>.Default.Equals(Result, other.Result));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Breakdown<T>);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Key, Result);
}
