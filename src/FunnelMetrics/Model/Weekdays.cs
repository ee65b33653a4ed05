namespace FunnelMetrics;

/// <summary>A set of days of the week, Monday first.</summary>
[Flags]
public enum Weekdays
{
    /// <summary>No day.</summary>
    None = 0,

    /// <summary>Monday.</summary>
    Monday = 1,

    /// <summary>Tuesday.</summary>
    Tuesday = 2,

    /// <summary>Wednesday.</summary>
    Wednesday = 4,

    /// <summary>Thursday.</summary>
    Thursday = 8,

    /// <summary>Friday.</summary>
    Friday = 16,

    /// <summary>Saturday.</summary>
    Saturday = 32,

    /// <summary>Sunday.</summary>
    Sunday = 64,

    /// <summary>Monday to Friday.</summary>
    MondayToFriday = Monday | Tuesday | Wednesday | Thursday | Friday,

    /// <summary>Every day of the week.</summary>
    All = MondayToFriday | Saturday | Sunday,
}
