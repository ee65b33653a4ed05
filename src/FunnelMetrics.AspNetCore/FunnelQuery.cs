using System.Globalization;
using FunnelMetrics.Metrics;
using Microsoft.AspNetCore.Http;

namespace FunnelMetrics.AspNetCore;

/// <summary>
/// Strict parsing of the endpoints' route values and query parameters: an unknown or repeated parameter, an instant that
/// is not ISO 8601 with an offset, a date that is not <c>yyyy-MM-dd</c>, an invalid identifier: each a 400 naming it.
/// </summary>
internal static class FunnelQuery
{
    private static readonly string[] InstantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
    ];

    /// <summary>Refuses a query parameter the endpoint does not take, and a repeat of one that is not a list.</summary>
    public static void Check(HttpRequest request, string[] allowed, string[]? lists = null)
    {
        foreach (var (name, values) in request.Query)
        {
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                var hint = allowed.FirstOrDefault(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));
                throw FunnelRequestException.BadParameter(name, hint is not null
                    ? $"Unknown query parameter '{name}': names are case-sensitive, did you mean '{hint}'?"
                    : $"Unknown query parameter '{name}'; this endpoint takes {(allowed.Length == 0 ? "none" : string.Join(", ", allowed))}.");
            }

            if (values.Count > 1 && (lists is null || !lists.Contains(name, StringComparer.Ordinal)))
            {
                throw FunnelRequestException.BadParameter(name, $"The query parameter '{name}' is given {values.Count} times; give it once.");
            }
        }
    }

    public static PipelineId Pipeline(string value) =>
        PipelineId.TryParse(value, out var id) ? id : throw FunnelRequestException.BadParameter("pipelineId", $"'{value}' is not a valid pipeline id: {Why(() => new PipelineId(value))}");

    public static ClientId Client(string value, string parameter) =>
        ClientId.TryParse(value, out var id) ? id : throw FunnelRequestException.BadParameter(parameter, $"'{value}' is not a valid client id: {Why(() => new ClientId(value))}");

    public static ClientEventId EventId(string value, string parameter) =>
        ClientEventId.TryParse(value, out var id) ? id : throw FunnelRequestException.BadParameter(parameter, $"'{value}' is not a valid event id: {Why(() => new ClientEventId(value))}");

    public static OwnerId Owner(string value, string parameter) =>
        OwnerId.TryParse(value, out var id) ? id : throw FunnelRequestException.BadParameter(parameter, $"'{value}' is not a valid owner id: {Why(() => new OwnerId(value))}");

    public static StageId Stage(string value, string parameter) =>
        StageId.TryParse(value, out var id) ? id : throw FunnelRequestException.BadParameter(parameter, $"'{value}' is not a valid stage id: {Why(() => new StageId(value))}");

    /// <summary>An instant, ISO 8601 with <c>Z</c> or an offset, such as <c>2026-03-01T09:00:00Z</c>; <see langword="null"/> when absent.</summary>
    public static DateTimeOffset? Instant(string? value, string parameter)
    {
        if (value is null)
        {
            return null;
        }

        var offset = value.Length > 16 ? value[16..] : "";
        if (DateTimeOffset.TryParseExact(value, InstantFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
            && (offset.Contains('Z', StringComparison.Ordinal) || offset.Contains('+', StringComparison.Ordinal) || offset.Contains('-', StringComparison.Ordinal)))
        {
            return instant.ToUniversalTime();
        }

        var hint = value.Contains(' ', StringComparison.Ordinal) ? " (a '+' in a query string reads as a space: write it %2B, or use Z)" : "";
        throw FunnelRequestException.BadParameter(parameter, $"'{value}' is not an ISO 8601 instant with an offset, such as 2026-03-01T09:00:00Z or 2026-03-01T10:00:00+01:00{hint}.");
    }

    /// <summary>A local date, <c>yyyy-MM-dd</c>; <see langword="null"/> when absent.</summary>
    public static DateOnly? Date(string? value, string parameter) =>
        value is null ? null
        : DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw FunnelRequestException.BadParameter(parameter, $"'{value}' is not a date in the form yyyy-MM-dd, such as 2026-03-01.");

    /// <summary>A month, <c>yyyy-MM</c>, as its first day; <see langword="null"/> when absent.</summary>
    public static DateOnly? Month(string? value, string parameter) =>
        value is null ? null
        : DateOnly.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) ? month
        : throw FunnelRequestException.BadParameter(parameter, $"'{value}' is not a month in the form yyyy-MM, such as 2026-03.");

    /// <summary>A whole number in a range; <see langword="null"/> when absent.</summary>
    public static int? Integer(string? value, string parameter, int min, int max) =>
        value is null ? null
        : int.TryParse(value, NumberStyles.None | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n
        : throw FunnelRequestException.BadParameter(parameter, $"'{value}' is not a whole number from {min} to {max}.");

    /// <summary>A positive duration in seconds, as every duration of the JSON contract; <see langword="null"/> when absent.</summary>
    public static TimeSpan? Seconds(string? value, string parameter) =>
        value is null ? null
        : double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s) && s > 0 && s <= TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(s)
        : throw FunnelRequestException.BadParameter(parameter, $"'{value}' is not a positive number of seconds, such as 2592000 for 30 days.");

    /// <summary>The window [from, to): <c>to</c> defaults to now, <c>from</c> to <paramref name="length"/> before <c>to</c>; from must be before to.</summary>
    public static TimeWindow Window(string? from, string? to, DateTimeOffset now, TimeSpan length)
    {
        var end = Instant(to, "to") ?? now;
        var start = Instant(from, "from") ?? end - length;
        return start < end
            ? new TimeWindow(start, end)
            : throw FunnelRequestException.BadParameter("from", $"The window is empty or reversed: from {start:O} is not before to {end:O}.");
    }

    /// <summary>
    /// The filter of <c>owner</c> (repeatable), <c>attribute</c> (repeatable, <c>key=value</c>), <c>enteredFrom</c> and
    /// <c>enteredTo</c>, within the caller's scope: without <c>owner</c>, a scope of owners filters to them; an owner
    /// outside the scope is refused (403).
    /// </summary>
    public static FunnelFilter Filter(string[]? owner, string[]? attribute, string? enteredFrom, string? enteredTo, FunnelAccessScope scope)
    {
        IReadOnlyList<OwnerId>? owners = null;
        if (owner is { Length: > 0 })
        {
            var parsed = owner.Select(o => Owner(o, "owner")).ToArray();
            if (parsed.FirstOrDefault(o => !scope.Allows(o)) is { IsDefault: false } outside)
            {
                throw FunnelRequestException.OutOfScope($"Owner '{outside}' is outside the caller's scope ({scope}).", "owner");
            }

            owners = parsed;
        }
        else if (!scope.IsTeam)
        {
            owners = scope.Owners;
        }

        Dictionary<string, string>? attributes = null;
        foreach (var pair in attribute ?? [])
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                throw FunnelRequestException.BadParameter("attribute", $"'{pair}' is not an attribute condition key=value, such as region=north.");
            }

            attributes ??= new(StringComparer.Ordinal);
            var key = pair[..at];
            if (!attributes.TryAdd(key, pair[(at + 1)..]))
            {
                throw FunnelRequestException.BadParameter("attribute", $"The attribute '{key}' is given twice; a client has one value for it.");
            }
        }

        var from = Instant(enteredFrom, "enteredFrom");
        var to = Instant(enteredTo, "enteredTo");
        if (from is { } f && to is { } t && f >= t)
        {
            throw FunnelRequestException.BadParameter("enteredFrom", $"The entry cohort is empty or reversed: enteredFrom {f:O} is not before enteredTo {t:O}.");
        }

        return owners is null && attributes is null && from is null && to is null
            ? FunnelFilter.All
            : new FunnelFilter { Owners = owners, Attributes = attributes, EnteredFrom = from, EnteredTo = to };
    }

    private static string Why<T>(Func<T> create)
    {
        try
        {
            _ = create();
            return "it is refused.";
        }
        catch (ArgumentException e)
        {
            return e.Message.Split(" (Parameter", 2)[0];
        }
    }
}
