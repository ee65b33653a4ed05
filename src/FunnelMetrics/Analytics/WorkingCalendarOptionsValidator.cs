using Microsoft.Extensions.Options;

namespace FunnelMetrics.Analytics;

/// <summary>Validates <see cref="WorkingCalendarOptions"/> from its data annotations and its own checks, with code generated at build time (AOT-safe); the options graph's validator runs it for its <c>WorkingCalendar</c> member.</summary>
[OptionsValidator]
internal sealed partial class WorkingCalendarOptionsValidator : IValidateOptions<WorkingCalendarOptions>
{
}
