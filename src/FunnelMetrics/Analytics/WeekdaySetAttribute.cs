using System.ComponentModel.DataAnnotations;

namespace FunnelMetrics.Analytics;

/// <summary>Checks that a <see cref="Weekdays"/> value names at least one day of the week and nothing else.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class WeekdaySetAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        if (value is not Weekdays days || ((days & Weekdays.All) != 0 && (days & ~Weekdays.All) == 0))
        {
            return ValidationResult.Success;
        }

        return new ValidationResult(
            $"{validationContext.DisplayName} is '{days}'; it must name at least one day of the week, such as 'Monday, Tuesday, Wednesday, Thursday, Friday'.",
            [validationContext.MemberName ?? validationContext.DisplayName]);
    }
}
