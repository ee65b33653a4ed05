namespace FunnelMetrics.Metrics;

/// <summary>Time-zone lookups and local-midnight arithmetic.</summary>
internal static class TimeZones
{
    public static TimeZoneInfo Find(string timeZoneId, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(timeZoneId, paramName);
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"'{timeZoneId}' is not a time zone known to this system; use an IANA id such as 'Europe/Sofia' or 'UTC'.", paramName, ex);
        }
    }

    /// <summary>
    /// The UTC instant at which <paramref name="day"/> begins in <paramref name="zone"/>: local midnight; when a
    /// daylight-saving gap swallows midnight, the first local instant after the gap; when midnight happens twice, the first.
    /// </summary>
    public static DateTimeOffset StartOfDay(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        var probe = local;
        while (zone.IsInvalidTime(probe))
        {
            probe = probe.AddMinutes(1);
        }

        var offset = zone.IsAmbiguousTime(probe) ? zone.GetAmbiguousTimeOffsets(probe).Max() : zone.GetUtcOffset(probe);
        return new DateTimeOffset(probe.Ticks - offset.Ticks, TimeSpan.Zero);
    }
}
