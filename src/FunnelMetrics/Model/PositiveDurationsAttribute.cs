using System.ComponentModel.DataAnnotations;

namespace FunnelMetrics;

/// <summary>Checks that every key of a stage-key-to-duration map is a valid stage key and every value strictly positive, naming the first entry that is not.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class PositiveDurationsAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        if (value is IEnumerable<KeyValuePair<string, TimeSpan>> map)
        {
            foreach (var (key, duration) in map)
            {
                if (duration <= TimeSpan.Zero || !StageId.TryParse(key, out _))
                {
                    return new ValidationResult(
                        $"{validationContext.DisplayName}['{key}'] must be a strictly positive duration under a stage key; got {duration.ToString("c", System.Globalization.CultureInfo.InvariantCulture)}.",
                        [validationContext.MemberName ?? validationContext.DisplayName]);
                }
            }
        }

        return ValidationResult.Success;
    }
}
