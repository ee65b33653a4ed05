using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// Time in stage, conversion and drop-off per period of entry, as series: for each day, ISO week or month of the time
/// zone in the window [<see cref="From"/>, <see cref="To"/>), the visits that began in the period and the clients who
/// first reached each stage in it, with their durations and outcomes read from the events before <see cref="AsOf"/>. Each
/// period's figures are those of <see cref="TimeInStageCalculator"/> and <see cref="ConversionCalculator"/> with the
/// period as the window (see docs/metrics.md, "Trends"), so a head of sales sees whether the team is getting faster.
/// </summary>
public sealed class FunnelTrends : IEquatable<FunnelTrends>
{
    [JsonConstructor]
    internal FunnelTrends(
        PipelineId pipelineId,
        CohortPeriod period,
        string timeZone,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset asOf,
        bool skippedStagesCountAsPassed,
        IReadOnlyList<TrendPeriod> periods,
        IReadOnlyList<OwnerTrends> byOwner,
        WorkingCalendar? calendar = null)
    {
        PipelineId = pipelineId;
        Period = period;
        TimeZone = timeZone;
        From = from;
        To = to;
        AsOf = asOf;
        SkippedStagesCountAsPassed = skippedStagesCountAsPassed;
        Periods = periods;
        ByOwner = byOwner;
        Calendar = calendar;
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The length of the periods: days, ISO weeks or months.</summary>
    public CohortPeriod Period { get; }

    /// <summary>The IANA time zone whose local midnights divide the periods.</summary>
    public string TimeZone { get; }

    /// <summary>The window's start, inclusive: the first period's <see cref="TrendPeriod.From"/>.</summary>
    public DateTimeOffset From { get; }

    /// <summary>The window's end, exclusive: the last period's <see cref="TrendPeriod.To"/>.</summary>
    public DateTimeOffset To { get; }

    /// <summary>Durations and outcomes are read from the events before this instant, exclusive; visits still running then are censored at it. Not before <see cref="To"/>.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>Whether a forward jump over stages counts as having reached and passed the stages jumped over, for the cohorts.</summary>
    public bool SkippedStagesCountAsPassed { get; }

    /// <summary>The periods, in order, covering the window without gap or overlap; each lists only the stages observed in it (<see cref="TrendPeriod.Stages"/>).</summary>
    public IReadOnlyList<TrendPeriod> Periods { get; }

    /// <summary>When asked for, one series per owner with a visit or a cohort member in the window, by owner id; else empty.</summary>
    public IReadOnlyList<OwnerTrends> ByOwner { get; }

    /// <summary>
    /// The working calendar the visits' durations were measured in (working time only: docs/metrics.md, "Working-hours
    /// clocks"), or <see langword="null"/> for elapsed time, the default; omitted from JSON when null. The cohorts and
    /// their outcomes do not depend on it.
    /// </summary>
    public WorkingCalendar? Calendar { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(FunnelTrends? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && Period == other.Period
            && string.Equals(TimeZone, other.TimeZone, StringComparison.Ordinal)
            && From.Equals(other.From)
            && To.Equals(other.To)
            && AsOf.Equals(other.AsOf)
            && SkippedStagesCountAsPassed == other.SkippedStagesCountAsPassed
            && Equals(Calendar, other.Calendar)
            && ValueEquality.Sequence(Periods, other.Periods)
            && ValueEquality.Sequence(ByOwner, other.ByOwner));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as FunnelTrends);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, Period, TimeZone, From, To, AsOf, Periods.Count, ByOwner.Count);
}
