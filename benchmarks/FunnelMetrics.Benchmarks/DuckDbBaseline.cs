using System.Globalization;
using DuckDB.NET.Data;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The figures SQL can express, computed by DuckDB (in memory, window functions) over the same events: the second
/// baseline. Loading happens in the constructor, outside the timed part; each method runs one query.
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

    /// <summary>Clients per stage as of an instant, and the lost ones.</summary>
    public (int[] Stages, int Lost) StageCounts(DateTimeOffset asOf)
    {
        var stages = new int[_pipeline.Stages.Count];
        var lost = 0;
        foreach (var row in Query(Sql($"""
            SELECT CASE WHEN kind = 5 THEN -1 ELSE stage END AS s, count(*)::INTEGER
            FROM (SELECT arg_max(kind, seq) AS kind, arg_max(stage, seq) AS stage
                  FROM events WHERE kind <= 6 AND ts <= {asOf.UtcTicks} GROUP BY client)
            GROUP BY 1
            """)))
        {
            var (s, n) = (Convert.ToInt32(row[0], CultureInfo.InvariantCulture), Convert.ToInt32(row[1], CultureInfo.InvariantCulture));
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

    /// <summary>Per stage: completed visits by the instant, their median and 90th percentile (nearest rank).</summary>
    public (int Count, TimeSpan? Median, TimeSpan? P90)[] CompletedVisits(DateTimeOffset asOf)
    {
        var result = new (int Count, TimeSpan? Median, TimeSpan? P90)[_pipeline.Stages.Count];
        foreach (var row in Query(Sql($"""
            WITH t AS (
                SELECT stage, kind, lead(ts) OVER (PARTITION BY client ORDER BY seq) - ts AS d
                FROM events WHERE kind <= 6 AND ts <= {asOf.UtcTicks}),
            v AS (
                SELECT stage, d, row_number() OVER (PARTITION BY stage ORDER BY d) AS r, count(*) OVER (PARTITION BY stage) AS n
                FROM t WHERE d IS NOT NULL AND kind <> 5 AND stage <> {Won})
            SELECT stage, max(n)::INTEGER, max(CASE WHEN r = ceil(0.5 * n) THEN d END), max(CASE WHEN r = ceil(0.9 * n) THEN d END)
            FROM v GROUP BY stage
            """)))
        {
            result[Convert.ToInt32(row[0], CultureInfo.InvariantCulture)] = (Convert.ToInt32(row[1], CultureInfo.InvariantCulture), TimeSpan.FromTicks(Convert.ToInt64(row[2], CultureInfo.InvariantCulture)), TimeSpan.FromTicks(Convert.ToInt64(row[3], CultureInfo.InvariantCulture)));
        }

        return result;
    }

    /// <summary>Open clients whose time in stage is strictly greater than the stage's threshold (set with <see cref="SetThresholds"/>).</summary>
    public HashSet<ClientId> Stalled(DateTimeOffset asOf) =>
        [.. Query(Sql($"""
            SELECT l.client FROM (
                SELECT client, arg_max(kind, seq) AS kind, arg_max(stage, seq) AS stage, max(ts) AS at
                FROM events WHERE kind <= 6 AND ts <= {asOf.UtcTicks} GROUP BY client) l
            JOIN thresholds th ON th.stage = l.stage
            WHERE l.kind <> 5 AND l.stage <> {Won} AND {asOf.UtcTicks} - l.at > th.ticks
            """)).Select(row => _clients[Convert.ToInt32(row[0], CultureInfo.InvariantCulture)])];

    /// <summary>Per UTC day and stage: arrivals, and clients in the stage at the day's end.</summary>
    public (int Entered, int CountAtEnd)[][] DailyFlow(DateOnly first, DateOnly last)
    {
        var days = last.DayNumber - first.DayNumber + 1;
        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).UtcTicks;
        var end = start + (days * Day);
        var stageCount = _pipeline.Stages.Count;
        var entered = new int[days, stageCount];
        var delta = new int[days, stageCount];
        foreach (var row in Query(Sql($"""
            SELECT ((ts - {start}) // {Day})::INTEGER AS d, stage, count(*)::INTEGER
            FROM events WHERE kind <= 6 AND kind <> 5 AND ts >= {start} AND ts < {end} GROUP BY 1, 2
            """)))
        {
            entered[Convert.ToInt32(row[0], CultureInfo.InvariantCulture), Convert.ToInt32(row[1], CultureInfo.InvariantCulture)] = Convert.ToInt32(row[2], CultureInfo.InvariantCulture);
        }

        foreach (var row in Query(Sql($"""
            WITH tr AS (
                SELECT ts, CASE WHEN kind = 5 THEN -1 ELSE stage END AS b,
                       lag(CASE WHEN kind = 5 THEN -1 ELSE stage END) OVER (PARTITION BY client ORDER BY seq) AS prev
                FROM events WHERE kind <= 6 AND ts < {end}),
            moves AS (
                SELECT greatest(0, (ts - {start}) // {Day}) AS d, b AS bucket, 1 AS change FROM tr WHERE prev IS NULL OR prev <> b
                UNION ALL
                SELECT greatest(0, (ts - {start}) // {Day}), prev, -1 FROM tr WHERE prev IS NOT NULL AND prev <> b)
            SELECT d::INTEGER, bucket, sum(change)::INTEGER FROM moves WHERE bucket >= 0 GROUP BY 1, 2
            """)))
        {
            delta[Convert.ToInt32(row[0], CultureInfo.InvariantCulture), Convert.ToInt32(row[1], CultureInfo.InvariantCulture)] += Convert.ToInt32(row[2], CultureInfo.InvariantCulture);
        }

        var result = new (int Entered, int CountAtEnd)[days][];
        var running = new int[stageCount];
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

    /// <summary>Per stage: the clients who first reached it in [from, to) and, as of the instant, how many passed it, are lost without passing it, or remain (skipped stages count as passed).</summary>
    public (int Cohort, int Advanced, int Lost, int Remaining)[] Conversion(DateTimeOffset from, DateTimeOffset to, DateTimeOffset asOf)
    {
        var result = new (int, int, int, int)[_pipeline.Stages.Count];
        foreach (var row in Query(Sql($"""
            WITH tr AS (
                SELECT client, seq, ts, kind, stage, lag(stage) OVER (PARTITION BY client ORDER BY seq) AS prev
                FROM events WHERE kind <= 6 AND ts <= {asOf.UtcTicks}),
            reach AS (
                SELECT client, seq, ts, stage, false AS passed FROM tr WHERE kind <> 5
                UNION ALL
                SELECT client, seq, ts, unnest(range(prev + 1, stage)) AS stage, true AS passed FROM tr WHERE kind IN (2, 4) AND stage > prev + 1),
            firsts AS (
                SELECT client, stage, min(seq) AS seq, arg_min(ts, seq) AS ts, arg_min(passed, seq) AS passed
                FROM reach WHERE stage <> {Won} GROUP BY client, stage),
            cohort AS (
                SELECT f.client, f.stage,
                       f.passed OR EXISTS (SELECT 1 FROM tr t WHERE t.client = f.client AND t.seq > f.seq AND (t.kind = 4 OR (t.kind <> 5 AND t.stage > f.stage))) AS adv
                FROM firsts f WHERE f.ts >= {from.UtcTicks} AND f.ts < {to.UtcTicks}),
            closing AS (SELECT client, arg_max(kind, seq) AS kind FROM tr GROUP BY client)
            SELECT c.stage, count(*)::INTEGER,
                   (count(*) FILTER (WHERE c.adv))::INTEGER,
                   (count(*) FILTER (WHERE NOT c.adv AND k.kind = 5))::INTEGER,
                   (count(*) FILTER (WHERE NOT c.adv AND k.kind <> 5))::INTEGER
            FROM cohort c JOIN closing k USING (client) GROUP BY c.stage
            """)))
        {
            result[Convert.ToInt32(row[0], CultureInfo.InvariantCulture)] = (Convert.ToInt32(row[1], CultureInfo.InvariantCulture), Convert.ToInt32(row[2], CultureInfo.InvariantCulture), Convert.ToInt32(row[3], CultureInfo.InvariantCulture), Convert.ToInt32(row[4], CultureInfo.InvariantCulture));
        }

        return result;
    }

    public void Dispose() => _connection.Dispose();

    private static string Sql(FormattableString sql) => sql.ToString(CultureInfo.InvariantCulture);

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
