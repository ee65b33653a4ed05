using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>The clients of a <see cref="StageWaterfall"/> that moved between it and one other open stage: open at one as of the start, at the other as of the end.</summary>
public sealed class WaterfallMove : IEquatable<WaterfallMove>
{
    [JsonConstructor]
    internal WaterfallMove(StageId stage, WaterfallLine line)
    {
        Stage = stage;
        Line = line;
    }

    /// <summary>The other stage: where they came from (in <see cref="StageWaterfall.MovedIn"/>) or went to (in <see cref="StageWaterfall.MovedOut"/>).</summary>
    public StageId Stage { get; }

    /// <summary>The clients and their values as of the start (a moving client carries its start value; its change is a value-change line of its end stage).</summary>
    public WaterfallLine Line { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures.</summary>
    /// <param name="other">The other move.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(WaterfallMove? other) =>
        ReferenceEquals(this, other) || (other is not null && Stage.Equals(other.Stage) && Line.Equals(other.Line));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as WaterfallMove);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, Line);
}
