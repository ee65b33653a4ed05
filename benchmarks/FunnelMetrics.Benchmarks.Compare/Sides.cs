using System.Globalization;

namespace FunnelMetrics.Benchmarks.Compare;

/// <summary>
/// What each side (the library at the baseline commit, <see cref="BeforeSide"/>; the library in the working tree,
/// <see cref="AfterSide"/>) runs: the same calculations over the same history with the same arguments
/// (<see cref="Windows"/>). Every member computes and returns one result; the benchmarks time them.
/// </summary>
public interface ISide
{
    /// <summary>Builds the log from the generated clients and events.</summary>
    object BuildLog();

    /// <summary>Stage counts as of <see cref="Windows.AsOf"/>.</summary>
    object StageCounts();

    /// <summary>Time in stage as of <see cref="Windows.AsOf"/>, the whole history.</summary>
    object TimeInStage();

    /// <summary>Conversion of the cohorts of the 90 days before <see cref="Windows.AsOf"/>.</summary>
    object Conversion();

    /// <summary>Velocity over the 90 days before <see cref="Windows.AsOf"/>.</summary>
    object Velocity();

    /// <summary>Stalled clients as of <see cref="Windows.AsOf"/> under <see cref="Windows.Threshold"/>.</summary>
    object StalledClients();

    /// <summary>The stuck-stage ranking over <see cref="Windows.StuckPeriod"/>.</summary>
    object StuckStages();

    /// <summary>The daily flow ledger of the 30 days up to <see cref="Windows.AsOf"/>, in UTC.</summary>
    object FlowLedger();

    /// <summary>Stage counts as of <see cref="Windows.AsOf"/>, per owner (one stage-count pass per owner, under the owner's filter).</summary>
    object OwnerBreakdown();

    /// <summary>The forecast with default settings and a horizon at <see cref="Windows.HorizonEnd"/>.</summary>
    object Forecast();

    /// <summary>Creates a live view as of <see cref="Windows.MonthStart"/> (not timed: an iteration set-up).</summary>
    void FreshLiveView();

    /// <summary>Applies the month's events (<see cref="History.Month"/>) to the view <see cref="FreshLiveView"/> made.</summary>
    long ApplyMonth();

    /// <summary>Fills an in-memory store with the history, for <see cref="AnalyticsStageCounts"/> (not timed).</summary>
    void FillStore();

    /// <summary>The front door: <c>FunnelAnalytics</c> reads the store, builds the log and computes stage counts.</summary>
    object AnalyticsStageCounts();

    /// <summary>Figures of every calculation but the analytics, to check the two sides do the same work.</summary>
    Figures Figures();

    /// <summary>Figures of <see cref="AnalyticsStageCounts"/>, after <see cref="FillStore"/>.</summary>
    Figures AnalyticsFigures();
}

/// <summary>The arguments both sides pass, so they compute the same figures.</summary>
public static class Windows
{
    /// <summary>Ten months into the generated year, as in the benchmark suite.</summary>
    public static DateTimeOffset AsOf { get; } = HistoryGenerator.Start.AddDays(300);

    /// <summary>90 days before <see cref="AsOf"/>: conversion cohorts and velocity from here.</summary>
    public static DateTimeOffset QuarterStart { get; } = AsOf.AddDays(-90);

    /// <summary>30 days before <see cref="AsOf"/>: the live view's start.</summary>
    public static DateTimeOffset MonthStart { get; } = AsOf.AddDays(-30);

    /// <summary>The stuck-stage period.</summary>
    public static TimeSpan StuckPeriod { get; } = TimeSpan.FromDays(30);

    /// <summary>The flow ledger's first day.</summary>
    public static DateOnly LedgerFirst { get; } = DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29));

    /// <summary>The flow ledger's last day.</summary>
    public static DateOnly LedgerLast { get; } = DateOnly.FromDateTime(AsOf.UtcDateTime);

    /// <summary>The forecast's horizon.</summary>
    public static DateTimeOffset HorizonEnd { get; } = AsOf.AddDays(30);

    /// <summary>The fixed stall threshold of a stage (its own where it sets one, 14 days elsewhere), by stage key; as the benchmark suite's.</summary>
    public static TimeSpan Threshold(string stage, TimeSpan? own) => own ?? TimeSpan.FromDays(14);
}

/// <summary>A generated history, in the current library's types (the baseline side maps it to its own).</summary>
public sealed class History
{
    private History(int transitions, Client[] clients, ClientEvent[] events, int[] month)
    {
        Transitions = transitions;
        Clients = clients;
        Events = events;
        Month = month;
    }

    /// <summary>The size asked for, in stage transitions.</summary>
    public int Transitions { get; }

    /// <summary>The clients, ordered by id.</summary>
    public Client[] Clients { get; }

    /// <summary>The events, by client, then sequence.</summary>
    public ClientEvent[] Events { get; }

    /// <summary>Indexes into <see cref="Events"/> of the events in (<see cref="Windows.MonthStart"/>, <see cref="Windows.AsOf"/>], in the order the live view applies them (instant, client, sequence).</summary>
    public int[] Month { get; }

    /// <summary>
    /// A copy of a string. Each side copies the generated history, client by client with its own strings, so both
    /// sides' objects have the same layout in memory: over the generator's own objects the after side built the log
    /// 16% faster than the before side over its mapped copy, on identical code; over two like copies, within 1%.
    /// </summary>
    public static string Text(string value) => new(value.AsSpan());

    /// <summary>Generates the history of the benchmark suite (seed 1).</summary>
    public static History Generate(int transitions)
    {
        var (clients, events) = HistoryGenerator.Generate(transitions, seed: 1);
        int[] month = [.. Enumerable.Range(0, events.Length)
            .Where(i => events[i].OccurredAt > Windows.MonthStart && events[i].OccurredAt <= Windows.AsOf)
            .OrderBy(i => events[i].OccurredAt).ThenBy(i => events[i].ClientId.Value, StringComparer.Ordinal).ThenBy(i => events[i].Sequence)];
        return new History(transitions, clients, events, month);
    }
}

/// <summary>Named figures of a side's results (counts, durations in ticks, shares), compared between the sides.</summary>
public sealed class Figures
{
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);

    /// <summary>The figures by name.</summary>
    public IReadOnlyDictionary<string, double> Values => _values;

    /// <summary>Adds a figure; <see langword="null"/> is kept as NaN, so a null on one side and a value on the other differ.</summary>
    public void Add(string name, double? value) => _values.Add(name, value ?? double.NaN);

    /// <summary>Adds a count.</summary>
    public void Add(string name, long? value) => Add(name, (double?)value);

    /// <summary>Adds a duration, in ticks.</summary>
    public void Add(string name, TimeSpan? value) => Add(name, value?.Ticks);

    /// <summary>Adds an amount.</summary>
    public void Add(string name, decimal? value) => Add(name, value is { } v ? (double)v : null);

    /// <summary>
    /// Checks that the figures both sides name are equal (to a relative 1e-9, as sums in another order may round
    /// differently), and that each calculation has at least one figure both sides name, so no check silently vanishes
    /// when the after side renames or drops one. A figure a deliberate change alters is left out of the after side.
    /// </summary>
    /// <returns>How many figures were compared.</returns>
    /// <exception cref="InvalidOperationException">The sides disagree.</exception>
    public static int Check(Figures before, Figures after)
    {
        var problems = new List<string>();
        var compared = 0;
        foreach (var (name, b) in before._values)
        {
            if (!after._values.TryGetValue(name, out var a))
            {
                continue;
            }

            compared++;
            var same = (double.IsNaN(a) && double.IsNaN(b)) || a == b || Math.Abs(a - b) <= 1e-9 * Math.Max(Math.Abs(a), Math.Abs(b));
            if (!same)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: before {b:R}, after {a:R}"));
            }
        }

        foreach (var calculation in Calculations(before).Concat(Calculations(after)).Distinct())
        {
            if (!before._values.Keys.Any(k => Calculation(k) == calculation && after._values.ContainsKey(k)))
            {
                problems.Add($"{calculation}: no figure named by both sides");
            }
        }

        return problems.Count == 0
            ? compared
            : throw new InvalidOperationException($"Before and after do not compute the same figures, so their times are not of equal work:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", problems)}");
    }

    private static IEnumerable<string> Calculations(Figures figures) => figures._values.Keys.Select(Calculation);

    private static string Calculation(string name) => name.Split('.')[0];
}

/// <summary>
/// The two sides over one history. <see cref="Check"/> (run by <see cref="Program"/> before any benchmark) generates
/// the history, builds both sides and checks they compute the same figures. Each benchmark then runs in a process of
/// its own (<see cref="OneSideVariable"/>) that loads only the side it times, so both sides are timed over like heaps;
/// run in process (BenchmarkDotNet's <c>--inProcess</c>), a benchmark finds both sides loaded and checked instead.
/// </summary>
public static class Sides
{
    /// <summary>Set to 1 in a full run's benchmark processes: load only the side the benchmark times.</summary>
    public const string OneSideVariable = "FUNNELMETRICS_COMPARE_ONE_SIDE";

    private static readonly Lock Gate = new();
    private static bool _beforeStore;
    private static bool _afterStore;

    /// <summary>The history's size in transitions: <c>FUNNELMETRICS_COMPARE_TRANSITIONS</c>, 1,000,000 by default.</summary>
    public static int Transitions =>
        Environment.GetEnvironmentVariable("FUNNELMETRICS_COMPARE_TRANSITIONS") is { Length: > 0 } size
            ? int.Parse(size, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)
            : 1_000_000;

    /// <summary>The library at the baseline commit.</summary>
    public static BeforeSide Before { get; private set; } = null!;

    /// <summary>The library in the working tree.</summary>
    public static AfterSide After { get; private set; } = null!;

    /// <summary>
    /// Generates the history, builds both sides, fills their stores and checks that every figure both name is equal,
    /// so the times are of equal work; keeps both sides loaded when <paramref name="keep"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sides disagree.</exception>
    public static void Check(bool keep)
    {
        lock (Gate)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var history = History.Generate(Transitions);
            var before = new BeforeSide(history);
            var after = new AfterSide(history);
            var compared = Figures.Check(before.Figures(), after.Figures());
            before.FillStore();
            after.FillStore();
            compared += Figures.Check(before.AnalyticsFigures(), after.AnalyticsFigures());
            Console.WriteLine($"// Compare: {history.Transitions:N0} transitions, {history.Events.Length:N0} events, {history.Clients.Length:N0} clients; before and after agree on {compared} figures ({watch.Elapsed.TotalSeconds:F1} s)");
            if (keep)
            {
                (Before, After, _beforeStore, _afterStore) = (before, after, true, true);
            }
        }
    }

    /// <summary>
    /// Loads what a benchmark of one side needs, once per process: in a process of its own, that side's history (and
    /// store when <paramref name="store"/>); in process, both sides, by <see cref="Check"/>, once.
    /// </summary>
    public static void Load(string side, bool store)
    {
        lock (Gate)
        {
            if (Environment.GetEnvironmentVariable(OneSideVariable) != "1")
            {
                if (Before is null)
                {
                    Check(keep: true);
                }

                return;
            }

            if (side == nameof(Before))
            {
                Before ??= new BeforeSide(History.Generate(Transitions));
                if (store && !_beforeStore)
                {
                    Before.FillStore();
                    _beforeStore = true;
                }
            }
            else
            {
                After ??= new AfterSide(History.Generate(Transitions));
                if (store && !_afterStore)
                {
                    After.FillStore();
                    _afterStore = true;
                }
            }
        }
    }

    /// <summary>
    /// A full, blocking, compacting collection, before each benchmark: the set-up's garbage (and the previous
    /// benchmark's) is collected here rather than by a background collection during the benchmark's iterations.
    /// </summary>
    public static void CollectGarbage()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
