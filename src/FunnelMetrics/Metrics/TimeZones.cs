namespace FunnelMetrics.Metrics;

/// <summary>Time-zone lookups by IANA id, failing with a message that names the parameter; days of a zone are <see cref="TimeZoneDays"/>'s.</summary>
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
}
