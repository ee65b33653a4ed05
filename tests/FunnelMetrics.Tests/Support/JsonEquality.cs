using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace FunnelMetrics.Tests.Support;

/// <summary>Compares results by their JSON, which covers nested lists that records compare by reference.</summary>
internal sealed class JsonEquality<T>(JsonTypeInfo<T> info) : IEqualityComparer<T>
{
    public bool Equals(T? x, T? y) => JsonSerializer.Serialize(x!, info) == JsonSerializer.Serialize(y!, info);

    public int GetHashCode(T obj) => JsonSerializer.Serialize(obj, info).GetHashCode(StringComparison.Ordinal);
}
