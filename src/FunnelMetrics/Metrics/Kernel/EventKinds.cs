using System.Runtime.CompilerServices;

namespace FunnelMetrics.Metrics;

/// <summary>The named predicates over a logged event's kind: the one place that knows how the kinds are ordered.</summary>
internal static class EventKinds
{
    /// <summary>Whether the event is a stage transition: an entry, move, win, loss or reopen (not an activity, a reassignment or a client update).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTransition(this EventKind kind) => kind < EventKind.Activity;

    /// <summary>
    /// Whether the event touches the client for the stall clock's last touch: a transition or an activity, not a
    /// reassignment nor a client update (one comparison: the kinds are ordered so).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTouch(this EventKind kind) => kind <= EventKind.Activity;

    /// <summary>Whether the transition moves the client forward out of its stage: an advance, a skip or a win.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsForwardMove(this EventKind kind) => kind is EventKind.Advanced or EventKind.Skipped or EventKind.Won;
}
