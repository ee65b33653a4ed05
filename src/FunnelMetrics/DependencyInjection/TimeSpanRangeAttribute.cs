using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace FunnelMetrics.DependencyInjection;

/// <summary>
/// An inclusive <see cref="TimeSpan"/> range check that, unlike <c>RangeAttribute(typeof(TimeSpan), ...)</c>,
/// needs no reflection-based type converter and so is safe under trimming and native AOT.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        return value is TimeSpan span && (span < Minimum || span > Maximum)
            ? new ValidationResult(
                $"{validationContext.DisplayName} must be between {Minimum.ToString("c", CultureInfo.InvariantCulture)} and {Maximum.ToString("c", CultureInfo.InvariantCulture)} inclusive; it is {span.ToString("c", CultureInfo.InvariantCulture)}.",
                [validationContext.MemberName ?? validationContext.DisplayName])
            : ValidationResult.Success;
    }
}
