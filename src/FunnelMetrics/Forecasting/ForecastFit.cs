using FunnelMetrics.Metrics;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// The part of a forecast that depends on the log snapshot and the history window only, not on where the instant lies
/// in it: the filter's masks, the chains fitted to the window's departures (the forecast's own and, for the breakdown,
/// each owner's with clients in work) and the clients in work with their values. Immutable once made, so the requests
/// of a warm read model, each forecasting "now" on the same snapshot, can share one.
/// </summary>
/// <remarks>
/// A fit made at an instant t₁ at or after the snapshot's last event is exactly the fit of any later instant t₂ whose
/// window [t₂ - window, t₂] still holds every departure that [t₁ - window, t₁] held: no event lies after t₁, so no
/// departure enters, every client's state, owner, value and attributes as of t₂ are those as of t₁, and no departure
/// leaves while the window's start is at most the earliest of them (<see cref="Earliest"/>). The durations, outcomes
/// and owners counted do not depend on the instant, so the chains are the same, bit for bit. Only such a fit is kept,
/// on the snapshot itself (<see cref="FunnelEventLog.KeptFit"/>, one, the last), and it is used only where
/// <see cref="Serves"/> says so; anything else is fitted afresh, as before.
/// </remarks>
internal sealed class ForecastFit
{
    private ForecastFit(TimeSpan window, int minimumDepartures, FunnelFilter filter, bool byOwner, long fittedAt, long earliest, bool[] clientMask, bool[] ownerMask, ChainModel model, List<ClientInWork> clients, List<(int Owner, ChainModel Model, List<ClientInWork> Clients)> owners)
    {
        (Window, MinimumDepartures, Filter, ByOwner, FittedAt, Earliest) = (window, minimumDepartures, filter, byOwner, fittedAt, earliest);
        (ClientMask, OwnerMask, Model, Clients, Owners) = (clientMask, ownerMask, model, clients, owners);
    }

    /// <summary>The history window it was fitted over.</summary>
    public TimeSpan Window { get; }

    /// <summary>The departures a stage needed for its own rates.</summary>
    public int MinimumDepartures { get; }

    /// <summary>The filter (compared by its conditions).</summary>
    public FunnelFilter Filter { get; }

    /// <summary>Whether the owners' chains were fitted (a team forecast with its breakdown by owner).</summary>
    public bool ByOwner { get; }

    /// <summary>The instant it was fitted at (UTC ticks): the window's end.</summary>
    public long FittedAt { get; }

    /// <summary>When the earliest departure in the window left (UTC ticks); <see cref="long.MaxValue"/> when none did.</summary>
    public long Earliest { get; }

    /// <summary>The clients the filter keeps, their attributes as of the instant.</summary>
    public bool[] ClientMask { get; }

    /// <summary>The owners the filter keeps.</summary>
    public bool[] OwnerMask { get; }

    /// <summary>The forecast's own chain.</summary>
    public ChainModel Model { get; }

    /// <summary>The clients in work as of the instant, in client order.</summary>
    public List<ClientInWork> Clients { get; }

    /// <summary>With <see cref="ByOwner"/> and a basis, each owner with clients in work, in owner order: its chain (the team's as fallback) and its clients.</summary>
    public List<(int Owner, ChainModel Model, List<ClientInWork> Clients)> Owners { get; }

    /// <summary>
    /// The fit for the window [<paramref name="lo"/>, <paramref name="hi"/>]: the snapshot's kept one when it
    /// <see cref="Serves"/> it (and <paramref name="reuse"/>), else a fresh one, kept in its place when it was made at or
    /// after the snapshot's last event.
    /// </summary>
    /// <param name="log">The snapshot.</param>
    /// <param name="lo">The window's start (UTC ticks, inclusive).</param>
    /// <param name="hi">The window's end, the instant (UTC ticks, inclusive).</param>
    /// <param name="settings">The checked options.</param>
    /// <param name="filter">The filter.</param>
    /// <param name="byOwner">Whether the owners' chains are wanted.</param>
    /// <param name="degree">How many threads the departures may be read on: the fit is the same whatever it is.</param>
    /// <param name="reuse">Whether the snapshot's kept fit may be read and replaced.</param>
    public static ForecastFit For(FunnelEventLog log, long lo, long hi, ForecastOptions settings, FunnelFilter filter, bool byOwner, int degree, bool reuse)
    {
        if (reuse && log.KeptFit is ForecastFit kept && kept.Serves(settings, filter, byOwner, lo, hi))
        {
            return kept;
        }

        var fit = Make(log, lo, hi, settings, filter, byOwner, degree);
        if (reuse && (log.LastTicks is not { } last || last <= hi))
        {
            log.KeptFit = fit;
        }

        return fit;
    }

    /// <summary>
    /// Whether this fit is exactly the one <see cref="Make"/> would give for [<paramref name="lo"/>, <paramref name="hi"/>]
    /// with these settings: the same window, minimum, filter and breakdown, an instant not before the fit's (which was at
    /// or after the snapshot's last event), and a start not past the earliest departure.
    /// </summary>
    public bool Serves(ForecastOptions settings, FunnelFilter filter, bool byOwner, long lo, long hi) =>
        settings.HistoryWindow == Window
        && settings.MinimumDepartures == MinimumDepartures
        && byOwner == ByOwner
        && hi >= FittedAt
        && lo <= Earliest
        && filter.Equals(Filter);

    /// <summary>Fits the chains and reads the clients in work, as the forecast always did.</summary>
    private static ForecastFit Make(FunnelEventLog log, long lo, long hi, ForecastOptions settings, FunnelFilter filter, bool byOwner, int degree)
    {
        // Clients as of the forecast's instant: their attributes then decide the filter (for the history too), their values then the expected value.
        var clientMask = filter.ClientMask(log, hi);
        var ownerMask = filter.OwnerMask(log);
        // The team's, the subject's and every owner's departures in one pass.
        var (team, subject, departuresByOwner, earliest) = ChainModel.DeparturesAndEarliest(log, lo, hi, clientMask, filter.Owners is null ? null : ownerMask, byOwner, degree);
        var pooled = new Lazy<long[]>(() => DepartureStats.SortedUnion(team));
        var allowance = new IterationAllowance();
        var model = ChainModel.Build(log.Pipeline, subject, team, filter.Owners is not null, settings.MinimumDepartures, pooled, budget: allowance);
        var clients = ClientsInWork(log, hi, clientMask, ownerMask);
        var owners = new List<(int Owner, ChainModel Model, List<ClientInWork> Clients)>();
        if (byOwner && model.AnyBasis)
        {
            // After the team's, in owner order, sharing its iteration allowance.
            foreach (var group in clients.GroupBy(c => c.Owner).OrderBy(g => g.Key))
            {
                owners.Add((group.Key, ChainModel.Build(log.Pipeline, departuresByOwner![group.Key], team, true, settings.MinimumDepartures, pooled, model, allowance), [.. group]));
            }
        }

        return new ForecastFit(settings.HistoryWindow, settings.MinimumDepartures, filter, byOwner, hi, earliest, clientMask, ownerMask, model, clients, owners);
    }

    private static List<ClientInWork> ClientsInWork(FunnelEventLog log, long cut, bool[] clientMask, bool[] ownerMask)
    {
        var clients = new List<ClientInWork>();
        for (var c = 0; c < clientMask.Length; c++)
        {
            var history = log.History(c);
            var last = clientMask[c] ? history.LastAtOrBefore(cut) : -1;
            if (last < 0 || history.Status(last) != ClientStatus.Open || !ownerMask[history.Owner(last)])
            {
                continue;
            }

            // The value as of the forecast's instant, read once for the expected value of every chain and horizon.
            clients.Add(new ClientInWork(c, history.Stage(last), history.Ticks(history.StateStart(last)), history.Owner(last), history.ValueAsOf(cut)));
        }

        return clients;
    }
}
