using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One open stage in the bottleneck ranking.</summary>
public sealed class StuckStage : IEquatable<StuckStage>
{
    [JsonConstructor]
    internal StuckStage(
        StageId stage,
        int rank,
        double score,
        StageFigures current,
        StageFigures previous,
        StageChange change)
    {
        Stage = stage;
        Rank = rank;
        Score = score;
        Current = current;
        Previous = previous;
        Change = change;
    }

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>1 for the stage where most clients wait too long.</summary>
    public int Rank { get; }

    /// <summary><c>Current.Stalled + (Current.StalledShare ?? 0)</c>: the number of stalled clients, with the share (at most 1) breaking ties.</summary>
    public double Score { get; }

    /// <summary>The figures for the window ending at the instant.</summary>
    public StageFigures Current { get; }

    /// <summary>The same for the window one period earlier.</summary>
    public StageFigures Previous { get; }

    /// <summary><c>Current</c> minus <c>Previous</c>.</summary>
    public StageChange Change { get; }

    /// <summary>The same stage at another place in the ranking, once the stages are sorted.</summary>
    internal StuckStage WithRank(int rank) => new(Stage, rank, Score, Current, Previous, Change);

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StuckStage? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && Rank.Equals(other.Rank)
            && Score.Equals(other.Score)
            && Equals(Current, other.Current)
            && Equals(Previous, other.Previous)
            && Equals(Change, other.Change));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StuckStage);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, Rank, Score, Current, Previous, Change);
}
