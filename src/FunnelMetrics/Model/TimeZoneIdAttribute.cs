using System.ComponentModel.DataAnnotations;

namespace FunnelMetrics;

/// <summary>Checks that a string is a time-zone id known to the system (IANA ids on every platform .NET 6+ supports).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeZoneIdAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        if (value is not string id || TimeZoneInfo.TryFindSystemTimeZoneById(id, out _))
        {
            return ValidationResult.Success;
        }

        return new ValidationResult(
            $"{validationContext.DisplayName} '{id}' is not a time zone known to this system; use an IANA id such as 'Europe/Sofia' or 'UTC'.",
            [validationContext.MemberName ?? validationContext.DisplayName]);
    }
}
