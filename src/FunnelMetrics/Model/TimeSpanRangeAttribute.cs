using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace FunnelMetrics;

/// <summary>
/// An inclusive <see cref="TimeSpan"/> range check that, unlike <c>RangeAttribute(typeof(TimeSpan), ...)</c>,
/// needs no reflection-based type converter and so is safe under trimming and native AOT.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    /// <summary>A duration in words when it is a whole number of one unit ("1 second", "3650 days"), else in the invariant <c>c</c> format.</summary>
    internal static string Describe(TimeSpan span)
    {
        static string Of(long n, string unit) => $"{n.ToString(CultureInfo.InvariantCulture)} {unit}{(n == 1 ? "" : "s")}";
        return span switch
        {
            { Ticks: 0 } => "0 seconds",
            { Ticks: > 0 } when span.Ticks % TimeSpan.TicksPerDay == 0 => Of(span.Ticks / TimeSpan.TicksPerDay, "day"),
            { Ticks: > 0 } when span.Ticks % TimeSpan.TicksPerHour == 0 => Of(span.Ticks / TimeSpan.TicksPerHour, "hour"),
            { Ticks: > 0 } when span.Ticks % TimeSpan.TicksPerMinute == 0 => Of(span.Ticks / TimeSpan.TicksPerMinute, "minute"),
            { Ticks: > 0 } when span.Ticks % TimeSpan.TicksPerSecond == 0 => Of(span.Ticks / TimeSpan.TicksPerSecond, "second"),
            _ => span.ToString("c", CultureInfo.InvariantCulture),
        };
    }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        return value is TimeSpan span && (span < Minimum || span > Maximum)
            ? new ValidationResult(
                $"{validationContext.DisplayName} must be between {Describe(Minimum)} and {Describe(Maximum)}, both inclusive; got {span.ToString("c", CultureInfo.InvariantCulture)}.",
                [validationContext.MemberName ?? validationContext.DisplayName])
            : ValidationResult.Success;
    }
}
