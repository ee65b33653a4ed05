using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// Stage-to-stage conversion: for each stage, the cohort of clients who first reached it in
/// [<see cref="From"/>, <see cref="To"/>), and what became of them before <see cref="AsOf"/>; plus cumulative conversion
/// from the first stage and the win rate of clients closed in the window.
/// </summary>
public sealed class Conversion : IEquatable<Conversion>
{
    [JsonConstructor]
    internal Conversion(
        PipelineId pipelineId,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset asOf,
        TimeSpan? conversionWindow,
        bool skippedStagesCountAsPassed,
        IReadOnlyList<StageConversion> stages,
        int firstStageCohort,
        int wonFromFirstStage,
        double? wonFromFirstStageShare,
        WinRate winRate,
        IReadOnlyList<StageDropOff>? dropOffs = null)
    {
        PipelineId = pipelineId;
        From = from;
        To = to;
        AsOf = asOf;
        ConversionWindow = conversionWindow;
        SkippedStagesCountAsPassed = skippedStagesCountAsPassed;
        Stages = stages;
        FirstStageCohort = firstStageCohort;
        WonFromFirstStage = wonFromFirstStage;
        WonFromFirstStageShare = wonFromFirstStageShare;
        WinRate = winRate;
        DropOffs = dropOffs ?? [];
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The cohort window's start, inclusive.</summary>
    public DateTimeOffset From { get; }

    /// <summary>The cohort window's end, exclusive.</summary>
    public DateTimeOffset To { get; }

    /// <summary>The outcomes are read from the events before this instant, exclusive; not before <see cref="To"/>.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>When set, a client counts as advanced only if it reached a later stage within this time of first reaching the stage.</summary>
    public TimeSpan? ConversionWindow { get; }

    /// <summary>Whether a forward jump over stages counts as having reached the stages jumped over (and left them at once).</summary>
    public bool SkippedStagesCountAsPassed { get; }

    /// <summary>One entry per stage, in pipeline order; the won stage's entry holds only the cumulative figures.</summary>
    public IReadOnlyList<StageConversion> Stages { get; }

    /// <summary>Clients who first reached the first open stage in the window: the base of the cumulative figures.</summary>
    public int FirstStageCohort { get; }

    /// <summary>Of them, those who reached the won stage afterwards, before <see cref="AsOf"/>.</summary>
    public int WonFromFirstStage { get; }

    /// <summary><c>WonFromFirstStage / FirstStageCohort</c>, or <see langword="null"/> when that cohort is empty.</summary>
    public double? WonFromFirstStageShare { get; }

    /// <summary>The win rate of clients closed in the window.</summary>
    public WinRate WinRate { get; }

    /// <summary>
    /// Drop-off between consecutive stages: one entry per open stage, in pipeline order, with the share of its cohort lost
    /// before passing it. Read from <see cref="Stages"/> (the same figures, regrouped): see <see cref="StageDropOff"/>.
    /// </summary>
    public IReadOnlyList<StageDropOff> DropOffs { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(Conversion? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && From.Equals(other.From)
            && To.Equals(other.To)
            && AsOf.Equals(other.AsOf)
            && Nullable.Equals(ConversionWindow, other.ConversionWindow)
            && SkippedStagesCountAsPassed.Equals(other.SkippedStagesCountAsPassed)
            && ValueEquality.Sequence(Stages, other.Stages)
            && FirstStageCohort.Equals(other.FirstStageCohort)
            && WonFromFirstStage.Equals(other.WonFromFirstStage)
            && Nullable.Equals(WonFromFirstStageShare, other.WonFromFirstStageShare)
            && Equals(WinRate, other.WinRate)
            && ValueEquality.Sequence(DropOffs, other.DropOffs));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Conversion);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(PipelineId);
        hash.Add(From);
        hash.Add(To);
        hash.Add(AsOf);
        hash.Add(ConversionWindow);
        hash.Add(SkippedStagesCountAsPassed);
        hash.Add(Stages.Count);
        hash.Add(FirstStageCohort);
        hash.Add(WonFromFirstStage);
        hash.Add(WonFromFirstStageShare);
        hash.Add(WinRate);
        return hash.ToHashCode();
    }
}
