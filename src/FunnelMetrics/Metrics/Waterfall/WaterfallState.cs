using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>A row or column of the stage matrix: not entered, open at a stage, won or lost.</summary>
public sealed class WaterfallState : IEquatable<WaterfallState>
{
    [JsonConstructor]
    internal WaterfallState(WaterfallStateKind kind, StageId? stage)
    {
        Kind = kind;
        Stage = stage;
    }

    /// <summary>Which state.</summary>
    public WaterfallStateKind Kind { get; }

    /// <summary>The open stage for <see cref="WaterfallStateKind.Open"/>, the won stage for <see cref="WaterfallStateKind.Won"/>; otherwise <see langword="null"/>.</summary>
    public StageId? Stage { get; }

    /// <summary>Whether <paramref name="other"/> is the same state.</summary>
    /// <param name="other">The other state.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(WaterfallState? other) =>
        ReferenceEquals(this, other) || (other is not null && Kind == other.Kind && Nullable.Equals(Stage, other.Stage));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as WaterfallState);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Stage);

    /// <summary>The state as a word: <c>not entered</c>, the stage's key, <c>won</c> or <c>lost</c>.</summary>
    /// <returns>For logs.</returns>
    public override string ToString() => Kind switch
    {
        WaterfallStateKind.NotEntered => "not entered",
        WaterfallStateKind.Open => Stage.ToString()!,
        WaterfallStateKind.Won => "won",
        _ => "lost",
    };
}
