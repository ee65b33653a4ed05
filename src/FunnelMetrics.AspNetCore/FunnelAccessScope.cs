using FunnelMetrics.Metrics;

namespace FunnelMetrics.AspNetCore;

/// <summary>
/// What one caller may see and change: the whole team (<see cref="Team"/>), or the clients of some owners
/// (<see cref="ForOwners"/>), such as a sales manager's own. <see cref="IFunnelAccessPolicy"/> gives it per request.
/// Immutable.
/// </summary>
/// <remarks>
/// A scope of owners restricts every endpoint of <c>MapFunnelMetrics</c>: metrics count only what is attributed to those
/// owners (their <see cref="FunnelFilter.Owners"/>); asking for another owner is refused with 403; a client whose current
/// owner is outside the scope reads as unknown (404: its existence is not disclosed) and cannot be changed (403); a client
/// is added only with an owner in the scope. A client in the scope may be handed to any owner.
/// </remarks>
public sealed class FunnelAccessScope
{
    private readonly OwnerId[]? _owners;

    private FunnelAccessScope(OwnerId[]? owners) => _owners = owners;

    /// <summary>Everything: every client and owner of the pipeline, as a head of sales sees it.</summary>
    public static FunnelAccessScope Team { get; } = new(null);

    /// <summary>The owners whose clients the caller sees and changes, in order; <see langword="null"/> for the whole team.</summary>
    public IReadOnlyList<OwnerId>? Owners => _owners;

    /// <summary>Whether the scope is the whole team.</summary>
    public bool IsTeam => _owners is null;

    /// <summary>Only the clients of these owners, as a sales manager sees their own.</summary>
    /// <param name="owners">The owners; repeats do not matter. An empty list sees nothing.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="ArgumentException">An owner is the unset <c>default(OwnerId)</c>.</exception>
    public static FunnelAccessScope ForOwners(IEnumerable<OwnerId> owners)
    {
        ArgumentNullException.ThrowIfNull(owners);
        OwnerId[] set = [.. owners.Distinct().Order()];
        if (set.Any(o => o.IsDefault))
        {
            throw new ArgumentException("An access scope's owner is the unset default(OwnerId); name real owners.", nameof(owners));
        }

        return new FunnelAccessScope(set);
    }

    /// <summary>Only the clients of one owner.</summary>
    /// <param name="owner">The owner.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="ArgumentException">The owner is the unset <c>default(OwnerId)</c>.</exception>
    public static FunnelAccessScope ForOwner(OwnerId owner) => ForOwners([owner]);

    /// <summary>Whether the caller sees and changes the clients of <paramref name="owner"/>.</summary>
    /// <param name="owner">The owner.</param>
    /// <returns><see langword="true"/> for the whole team or an owner listed.</returns>
    public bool Allows(OwnerId owner) => _owners is null || Array.BinarySearch(_owners, owner) >= 0;

    /// <summary>The whole team, or the owners listed.</summary>
    /// <returns>For logs.</returns>
    public override string ToString() => _owners is null ? "team" : $"owners {string.Join(", ", _owners)}";
}
