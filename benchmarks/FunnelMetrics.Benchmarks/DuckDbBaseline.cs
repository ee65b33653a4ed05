using System.Globalization;
using DuckDB.NET.Data;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The figures SQL can express, computed by DuckDB (in memory, window functions, its default threads: every core) over
/// the same events: the second baseline, written as an expert would (<c>quantile_disc</c> for percentiles, window frames
/// instead of correlated subqueries, one <c>arg_max</c> of the state, the flow ledger in one statement over the clients
/// active in its days). Loading happens in the constructor, outside the timed part; each method runs one statement.
/// </summary>
public sealed class DuckDbBaseline : IDisposable
{
    private const long Day = TimeSpan.TicksPerDay;
    private readonly DuckDBConnection _connection;
    private readonly ClientId[] _clients;
    private readonly PipelineDefinition _pipeline;

    public DuckDbBaseline(PipelineDefinition pipeline, Client[] clients, IEnumerable<ClientEvent> events)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(events);
        _pipeline = pipeline;
        _clients = [.. clients.Select(c => c.Id)];
        var index = new Dictionary<ClientId, int>(_clients.Length);
        for (var i = 0; i < _clients.Length; i++)
        {
            index[_clients[i]] = i;
        }

        _connection = new DuckDBConnection("Data Source=:memory:");
        _connection.Open();
        Execute("CREATE TABLE events (client INTEGER, seq INTEGER, ts BIGINT, kind SMALLINT, stage SMALLINT, owner INTEGER)");
        Execute("CREATE TABLE thresholds (stage SMALLINT, ticks BIGINT)");
        var owners = new Dictionary<OwnerId, int>();
        using (var appender = _connection.CreateAppender("events"))
        {
            foreach (var e in events)
            {
                var (kind, stage) = e switch
                {
                    StageTransition { Kind: TransitionKind.Lost } => ((short)TransitionKind.Lost, (short)-1),
                    StageTransition t => ((short)t.Kind, (short)pipeline.IndexOf(t.ToStage!.Value)),
                    ClientActivity => ((short)7, (short)-2),
                    _ => ((short)8, (short)-2),
                };
                if (!owners.TryGetValue(e.Owner, out var owner))
                {
                    owners[e.Owner] = owner = owners.Count;
                }

                appender.CreateRow()
                    .AppendValue(index[e.ClientId])
                    .AppendValue((int)e.Sequence)
                    .AppendValue(e.OccurredAt.UtcTicks)
                    .AppendValue(kind)
                    .AppendValue(stage)
                    .AppendValue(owner)
                    .EndRow();
            }
        }
    }

    private int Won => _pipeline.WonStageIndex;

    /// <summary>The threads DuckDB runs a query on (its <c>threads</c> setting, by default one per core).</summary>
    public int Threads => Int(Query("SELECT current_setting('threads')")[0][0]);

    /// <summary>Sets the fixed stall thresholds, by stage key.</summary>
    public void SetThresholds(IReadOnlyDictionary<StageId, TimeSpan> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        Execute("DELETE FROM thresholds");
        foreach (var (stage, threshold) in thresholds)
        {
            Execute(Sql($"INSERT INTO thresholds VALUES ({_pipeline.IndexOf(stage)}, {threshold.Ticks})"));
        }
    }

    /// <summary>Clients per stage as of an instant, and the lost ones: each client's bucket after its last transition (lost is stage -1), one <c>arg_max</c>.</summary>
    public (int[] Stages, int Lost) StageCounts(DateTimeOffset asOf)
    {
        var stages = new int[_pipeline.Stages.Count];
        var lost = 0;
        foreach (var row in Query(Sql($"""
            SELECT bucket, count(*)::INTEGER
            FROM (SELECT arg_max(stage, seq) AS bucket FROM events WHERE kind <= 6 AND ts <= {asOf.UtcTicks} GROUP BY client)
            GROUP BY bucket
            """)))
        {
            var (s, n) = (Int(row[0]), Int(row[1]));
            if (s < 0)
            {
                lost = n;
            }
            else
            {
                stages[s] = n;
            }
        }

        return (stages, lost);
    }

    /// <summary>
    /// Per stage: completed visits by the instant, their median and 90th percentile (nearest rank: DuckDB's
    /// <c>quantile_disc</c> is the ceil(q·n)-th value), both from one sorted state.
    /// </summary>
    public (int Count, TimeSpan? Median, TimeSpan? P90)[] CompletedVisits(DateTimeOffset asOf)
    {
        var result = new (int Count, TimeSpan? Median, TimeSpan? P90)[_pipeline.Stages.Count];
        foreach (var row in Query(Sql($"""
            SELECT stage, n, q[1], q[2] FROM (
                SELECT stage, count(*)::INTEGER AS n, quantile_disc(d, [0.5, 0.9]) AS q
                FROM (SELECT stage, lead(ts) OVER (PARTITION BY client ORDER BY seq) - ts AS d
                      FROM events WHERE kind <= 6 AND ts <= {asOf.UtcTicks})
                WHERE d IS NOT NULL AND stage >= 0 AND stage <> {Won}
                GROUP BY stage)
            """)))
        {
            result[Int(row[0])] = (Int(row[1]), TimeSpan.FromTicks(Long(row[2])), TimeSpan.FromTicks(Long(row[3])));
        }

        return result;
    }

    /// <summary>Open clients whose time in stage is strictly greater than the stage's threshold (set with <see cref="SetThresholds"/>): one <c>arg_max</c> of the bucket, the visit's start the last transition's instant.</summary>
    public HashSet<ClientId> Stalled(DateTimeOffset asOf) =>
        [.. Query(Sql($"""
            SELECT l.client FROM (
                SELECT client, arg_max(stage, seq) AS stage, max(ts) AS at
                FROM events WHERE kind <= 6 AND ts <= {asOf.UtcTicks} GROUP BY client) l
            JOIN thresholds th ON th.stage = l.stage
            WHERE l.stage <> {Won} AND {asOf.UtcTicks} - l.at > th.ticks
            """)).Select(row => _clients[Int(row[0])])];

    /// <summary>
    /// Per UTC day and stage: arrivals, and clients in the stage at the day's end, in one statement: the buckets at the
    /// first day's start (one <c>arg_max</c> per client), then only the transitions inside the days, each with the bucket
    /// it leaves (<c>lag</c> over the clients active in the days, the first one's from the start's bucket).
    /// </summary>
    public (int Entered, int CountAtEnd)[][] DailyFlow(DateOnly first, DateOnly last)
    {
        var days = last.DayNumber - first.DayNumber + 1;
        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).UtcTicks;
        var end = start + (days * Day);
        var stageCount = _pipeline.Stages.Count;
        var entered = new int[days, stageCount];
        var delta = new int[days, stageCount];
        var running = new int[stageCount];
        foreach (var row in Query(Sql($"""
            WITH s AS MATERIALIZED (
                SELECT client, arg_max(stage, seq) AS b FROM events WHERE kind <= 6 AND ts < {start} GROUP BY client),
            m AS (
                SELECT (w.ts - {start}) // {Day} AS d, w.stage AS b,
                       coalesce(lag(w.stage) OVER (PARTITION BY w.client ORDER BY w.seq), s.b) AS prev
                FROM (SELECT client, seq, ts, stage FROM events WHERE kind <= 6 AND ts >= {start} AND ts < {end}) w
                LEFT JOIN s USING (client))
            SELECT d::INTEGER, bucket, sum(arrived)::INTEGER, sum(change)::INTEGER FROM (
                SELECT -1 AS d, b AS bucket, 0 AS arrived, 1 AS change FROM s WHERE b >= 0
                UNION ALL
                SELECT d, b, 1, CASE WHEN prev IS DISTINCT FROM b THEN 1 ELSE 0 END FROM m WHERE b >= 0
                UNION ALL
                SELECT d, prev, 0, -1 FROM m WHERE prev >= 0 AND prev <> b)
            GROUP BY 1, 2
            """)))
        {
            var (d, b) = (Int(row[0]), Int(row[1]));
            if (d < 0)
            {
                running[b] += Int(row[3]);
                continue;
            }

            entered[d, b] += Int(row[2]);
            delta[d, b] += Int(row[3]);
        }

        var result = new (int Entered, int CountAtEnd)[days][];
        for (var d = 0; d < days; d++)
        {
            result[d] = new (int, int)[stageCount];
            for (var s = 0; s < stageCount; s++)
            {
                running[s] += delta[d, s];
                result[d][s] = (entered[d, s], running[s]);
            }
        }

        return result;
    }

    /// <summary>
    /// Per stage: the clients who first reached it in [from, to) and, as of the instant, how many passed it, are lost
    /// without passing it, or remain (skipped stages count as passed). One window pass over the histories of the clients
    /// with a transition in [from, to) (no other can first reach a stage there): per transition the bucket it leaves, the
    /// highest stage of the transitions after it (a frame from the next row to the end; a win counts above every stage)
    /// and the client's closing kind; a jump over stages reaches each stage it skips, passed at once.
    /// </summary>
    public (int Cohort, int Advanced, int Lost, int Remaining)[] Conversion(DateTimeOffset from, DateTimeOffset to, DateTimeOffset asOf)
    {
        var result = new (int, int, int, int)[_pipeline.Stages.Count];
        foreach (var row in Query(Sql($"""
            WITH tr AS (
                SELECT client, seq, ts, kind, stage,
                       lag(stage) OVER w AS prev,
                       max(CASE WHEN kind = 4 THEN 32767 WHEN kind <> 5 THEN stage END)
                           OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later,
                       last_value(kind) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS closing
                FROM events
                WHERE kind <= 6 AND ts <= {asOf.UtcTicks}
                  AND client IN (SELECT client FROM events WHERE kind <= 6 AND kind <> 5 AND ts >= {from.UtcTicks} AND ts < {to.UtcTicks})
                WINDOW w AS (PARTITION BY client ORDER BY seq)),
            reach AS (
                SELECT client, seq, ts, stage AS own, later, closing,
                       unnest(CASE WHEN kind = 5 THEN []::BIGINT[]
                                   WHEN kind IN (2, 4) AND stage > prev + 1 THEN range(prev + 1, stage + 1)
                                   ELSE [stage::BIGINT] END) AS s
                FROM tr),
            firsts AS (
                SELECT s, arg_min(ts, seq) AS ts, arg_min(s <> own OR coalesce(later, -1) > s, seq) AS adv, any_value(closing) AS closing
                FROM reach WHERE s <> {Won} GROUP BY client, s)
            SELECT s::INTEGER, count(*)::INTEGER,
                   (count(*) FILTER (WHERE adv))::INTEGER,
                   (count(*) FILTER (WHERE NOT adv AND closing = 5))::INTEGER,
                   (count(*) FILTER (WHERE NOT adv AND closing <> 5))::INTEGER
            FROM firsts WHERE ts >= {from.UtcTicks} AND ts < {to.UtcTicks} GROUP BY s
            """)))
        {
            result[Int(row[0])] = (Int(row[1]), Int(row[2]), Int(row[3]), Int(row[4]));
        }

        return result;
    }

    public void Dispose() => _connection.Dispose();

    private static string Sql(FormattableString sql) => sql.ToString(CultureInfo.InvariantCulture);

    private static int Int(object value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

    private static long Long(object value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<object[]> Query(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }
}
