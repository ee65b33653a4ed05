using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace FunnelMetrics.Analytics;

/// <summary>
/// The working calendar of the <c>FunnelMetrics:WorkingCalendar</c> section: when <see cref="Enabled"/>, time in stage,
/// stall clocks and thresholds, the stuck stages, cycle time and velocity count only working time (docs/metrics.md,
/// "Working-hours clocks"), in the options graph's time zone (<see cref="FunnelMetricsOptions.TimeZone"/>); when not,
/// they count elapsed time, as without the section. Validated when the host starts; an invalid value throws naming the
/// setting, such as <c>WorkingCalendar.End</c>.
/// </summary>
/// <example>
/// <code>
/// "FunnelMetrics": {
///   "TimeZone": "Europe/Berlin",
///   "WorkingCalendar": { "Enabled": true, "WorkingDays": "Monday, Tuesday, Wednesday, Thursday, Friday",
///                        "Start": "09:00", "End": "18:00", "Holidays": [ "2026-12-25", "2026-12-26" ] }
/// }
/// </code>
/// </example>
public sealed class WorkingCalendarOptions : IValidatableObject
{
    /// <summary>The default of <see cref="Start"/>: <c>09:00</c>.</summary>
    public const string DefaultStart = "09:00";

    /// <summary>The default of <see cref="End"/>: <c>18:00</c>.</summary>
    public const string DefaultEnd = "18:00";

    private static readonly string[] TimeFormats = [@"hh\:mm", @"hh\:mm\:ss"];
    private WorkingCalendar? _cached;

    /// <summary>Whether the metrics count working time under this calendar; otherwise they count elapsed time and the other settings are not used (but still validated).</summary>
    /// <value>Default: <see langword="false"/>.</value>
    public bool Enabled { get; set; }

    /// <summary>The working days of the week, written in configuration as <c>"Monday, Tuesday, Wednesday"</c>.</summary>
    /// <value>Default: <see cref="Weekdays.MondayToFriday"/>. Must hold at least one day.</value>
    [WeekdaySet]
    public Weekdays WorkingDays { get; set; } = Weekdays.MondayToFriday;

    /// <summary>The local time of day working hours begin, inclusive, as <c>HH:mm</c> or <c>HH:mm:ss</c>: from <c>00:00</c> to before <c>24:00</c>.</summary>
    /// <value>Default: <see cref="DefaultStart"/> (<c>09:00</c>).</value>
    [Required]
    public string Start { get; set; } = DefaultStart;

    /// <summary>The local time of day working hours end, exclusive, as <c>HH:mm</c> or <c>HH:mm:ss</c>: after <see cref="Start"/>, <c>24:00</c> for the end of the day.</summary>
    /// <value>Default: <see cref="DefaultEnd"/> (<c>18:00</c>).</value>
    [Required]
    public string End { get; set; } = DefaultEnd;

    /// <summary>Local dates not worked even on a working weekday, each as <c>yyyy-MM-dd</c>; in configuration an array, <c>"Holidays": [ "2026-12-25" ]</c>.</summary>
    /// <value>Default: empty.</value>
    [Required]
#pragma warning disable CA2227 // The configuration binder and object initializers set it.
    public List<string> Holidays { get; set; } = [];
#pragma warning restore CA2227

    /// <summary>Checks the hours and holidays, each failure naming its setting.</summary>
    /// <param name="validationContext">The validation context.</param>
    /// <returns>One result per invalid setting.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        // The path of the section, such as FunnelMetricsOptions.WorkingCalendar (the generated validator names this
        // method's context "<path>.Validate"): each message names its setting under it.
        var display = validationContext.DisplayName ?? "";
        display = display.EndsWith(".Validate", StringComparison.Ordinal) ? display[..^".Validate".Length] : display;
        var path = display.Length == 0 ? "WorkingCalendar." : display + ".";
        var start = ParseTime(Start, allowEndOfDay: false);
        if (start is null)
        {
            yield return new ValidationResult($"{path}Start is '{Start}'; it must be a local time of day as HH:mm or HH:mm:ss, from 00:00 to before 24:00, such as '09:00'.", [nameof(Start)]);
        }

        var end = ParseTime(End, allowEndOfDay: true);
        if (end is null)
        {
            yield return new ValidationResult($"{path}End is '{End}'; it must be a local time of day as HH:mm or HH:mm:ss, after 00:00 and at most 24:00, such as '18:00'.", [nameof(End)]);
        }
        else if (start is { } s && end <= s)
        {
            yield return new ValidationResult($"{path}End is '{End}', not after Start '{Start}'; working hours must end after they begin, on the same day (24:00 at the latest).", [nameof(End)]);
        }

        for (var i = 0; i < (Holidays?.Count ?? 0); i++)
        {
            if (!DateOnly.TryParseExact(Holidays![i], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                yield return new ValidationResult($"{path}Holidays[{i}] is '{Holidays[i]}'; it must be a date as yyyy-MM-dd, such as '2026-12-25'.", [$"{nameof(Holidays)}[{i}]"]);
            }
        }
    }

    /// <summary>
    /// The calendar in <paramref name="timeZoneId"/> when <see cref="Enabled"/>, else <see langword="null"/> (elapsed
    /// time); the options must be valid. The same instance while the settings are unchanged, so its cached table of clock
    /// changes outlives each request's <see cref="FunnelAnalytics"/>.
    /// </summary>
    /// <param name="timeZoneId">The options graph's time zone.</param>
    /// <returns>The calendar, or <see langword="null"/>.</returns>
    internal WorkingCalendar? ToCalendar(string timeZoneId)
    {
        if (!Enabled)
        {
            return null;
        }

        var calendar = Build(timeZoneId);
        var cached = Volatile.Read(ref _cached);
        if (calendar.Equals(cached))
        {
            return cached;
        }

        Volatile.Write(ref _cached, calendar);
        return calendar;
    }

    private WorkingCalendar Build(string timeZoneId) =>
        new(
            timeZoneId,
            WorkingDays,
            ParseTime(Start, allowEndOfDay: false) ?? throw new InvalidOperationException($"WorkingCalendar.Start '{Start}' is not a time of day; validate the options first."),
            ParseTime(End, allowEndOfDay: true) ?? throw new InvalidOperationException($"WorkingCalendar.End '{End}' is not a time of day; validate the options first."),
            [.. Holidays.Select(static h => DateOnly.ParseExact(h, "yyyy-MM-dd", CultureInfo.InvariantCulture))]);

    private static TimeSpan? ParseTime(string? text, bool allowEndOfDay)
    {
        if (text is null)
        {
            return null;
        }

        if (allowEndOfDay && text is "24:00" or "24:00:00")
        {
            return TimeSpan.FromDays(1);
        }

        return TimeSpan.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, out var time) && time >= TimeSpan.Zero && time < TimeSpan.FromDays(1) && (allowEndOfDay ? time > TimeSpan.Zero : true)
            ? time
            : null;
    }
}
