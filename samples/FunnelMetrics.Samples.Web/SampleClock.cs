namespace FunnelMetrics.Samples.Web;

/// <summary>
/// The sample's clock. With <see cref="SampleClockKind.System"/> it is the machine's; with
/// <see cref="SampleClockKind.Demo"/> it runs at real speed from an instant set once the history is stored
/// (<see cref="StartAt"/>): the end of the generated team's last working day, or just after the last stored event
/// when that is later, so the dashboard's "today" has the demo's figures and a move recorded in the browser comes after
/// every stored event.
/// </summary>
internal sealed class SampleClock : TimeProvider
{
    private long _offsetTicks;

    /// <summary>Which clock this is.</summary>
    public SampleClockKind Kind { get; }

    /// <summary>Creates the clock; it reads the machine's time until <see cref="StartAt"/>.</summary>
    /// <param name="kind">Which clock.</param>
    public SampleClock(SampleClockKind kind) => Kind = kind;

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>With the demo clock: "now" is <paramref name="now"/> from this call on, running at real speed.</summary>
    /// <param name="now">The instant it reads now.</param>
    public void StartAt(DateTimeOffset now)
    {
        if (Kind == SampleClockKind.Demo)
        {
            Interlocked.Exchange(ref _offsetTicks, (now - System.GetUtcNow()).Ticks);
        }
    }
}
