using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One period of <see cref="FunnelTrends"/>: a day, ISO week or month of the time zone, cut to the trends' window.</summary>
public sealed class TrendPeriod : IEquatable<TrendPeriod>
{
    /// <summary>Up to this many rows, <see cref="Stage(StageId)"/> scans the list instead of indexing it.</summary>
    private const int LinearLookup = 16;

    private Dictionary<StageId, StageTrend>? _byStage;

    [JsonConstructor]
    internal TrendPeriod(string key, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<StageTrend> stages, int firstStageCohort, int wonFromFirstStage, double? wonFromFirstStageShare)
    {
        Key = key;
        From = from;
        To = to;
        Stages = stages;
        FirstStageCohort = firstStageCohort;
        WonFromFirstStage = wonFromFirstStage;
        WonFromFirstStageShare = wonFromFirstStageShare;
    }

    /// <summary>The period's key, as <see cref="FunnelBreakdowns.ByEntryCohort"/> names it: <c>2026-03-02</c>, <c>2026-W10</c> or <c>2026-03</c>.</summary>
    public string Key { get; }

    /// <summary>The period's start, inclusive: its first local midnight (<see cref="TimeZoneDays"/>), or the window's start for a first period begun before it.</summary>
    public DateTimeOffset From { get; }

    /// <summary>The period's end, exclusive: the next period's start, or the window's end for a last period cut by it.</summary>
    public DateTimeOffset To { get; }

    /// <summary>
    /// The open stages with an observation in the period, in pipeline order: those with a visit begun in it (completed
    /// before <see cref="FunnelTrends.AsOf"/> or still running then) or a cohort member (a client who first reached the
    /// stage in it), within the filter. A stage not listed had neither: no visit begun in the period and an empty cohort,
    /// so its figures would be zero counts, no durations and <see langword="null"/> shares. The won stage (terminal) is
    /// never listed. Look a stage up with <see cref="Stage(StageId)"/>.
    /// </summary>
    public IReadOnlyList<StageTrend> Stages { get; }

    /// <summary>Clients who first reached the first open stage in the period (as <see cref="Conversion.FirstStageCohort"/>).</summary>
    public int FirstStageCohort { get; }

    /// <summary>Of them, those who reached the won stage afterwards, before the instant.</summary>
    public int WonFromFirstStage { get; }

    /// <summary><c>WonFromFirstStage / FirstStageCohort</c>, or <see langword="null"/> when that cohort is empty.</summary>
    public double? WonFromFirstStageShare { get; }

    /// <summary>The row of <paramref name="stage"/> in <see cref="Stages"/>.</summary>
    /// <param name="stage">The stage.</param>
    /// <returns>
    /// Its row, or <see langword="null"/> when the stage had no observation in the period (no visit begun in it, an empty
    /// cohort), is the won stage, or is not a stage of the pipeline.
    /// </returns>
    public StageTrend? Stage(StageId stage)
    {
        var stages = Stages;
        if (stages.Count <= LinearLookup)
        {
            for (var i = 0; i < stages.Count; i++)
            {
                if (stages[i].Stage == stage)
                {
                    return stages[i];
                }
            }

            return null;
        }

        // A long list is indexed on the first look-up; two threads building it at once build the same index.
        var index = _byStage;
        if (index is null)
        {
            index = new Dictionary<StageId, StageTrend>(stages.Count);
            foreach (var row in stages)
            {
                index.TryAdd(row.Stage, row);
            }

            _byStage = index;
        }

        return index.GetValueOrDefault(stage);
    }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(TrendPeriod? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && string.Equals(Key, other.Key, StringComparison.Ordinal)
            && From.Equals(other.From)
            && To.Equals(other.To)
            && ValueEquality.Sequence(Stages, other.Stages)
            && FirstStageCohort.Equals(other.FirstStageCohort)
            && WonFromFirstStage.Equals(other.WonFromFirstStage)
            && Nullable.Equals(WonFromFirstStageShare, other.WonFromFirstStageShare));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TrendPeriod);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Key, From, To, Stages.Count, FirstStageCohort, WonFromFirstStage, WonFromFirstStageShare);
}
