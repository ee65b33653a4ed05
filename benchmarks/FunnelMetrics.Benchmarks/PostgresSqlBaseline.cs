using Npgsql;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The figures SQL can express, computed by PostgreSQL itself over the EF Core store's own tables (<c>funnel_events</c>
/// joined to <c>funnel_stages</c>), as a team without the library would write them: each client's last transition by
/// <c>DISTINCT ON</c>, visit lengths by <c>lead</c> over the client's transitions, percentiles by <c>percentile_disc</c>
/// (nearest rank, as the library's). The baseline of the end-to-end benchmark; each method is one statement.
/// </summary>
public sealed class PostgresSqlBaseline(string connectionString, PipelineDefinition pipeline)
{
    private int Won => pipeline.WonStageIndex;

    /// <summary>Clients per stage as of an instant, and the lost ones: each client's bucket after its last transition.</summary>
    public async Task<(int[] Stages, int Lost)> StageCountsAsync(DateTimeOffset asOf)
    {
        var stages = new int[pipeline.Stages.Count];
        var lost = 0;
        foreach (var row in await QueryAsync($"""
            SELECT bucket, count(*)::int FROM (
                SELECT DISTINCT ON (e.client_id) CASE WHEN e.transition_kind = 'Lost' THEN -1 ELSE s.position END AS bucket
                FROM funnel_events e LEFT JOIN funnel_stages s ON s.pipeline_id = e.pipeline_id AND s.stage_key = e.to_stage
                WHERE e.pipeline_id = @pipeline AND e.type = 'transition' AND e.occurred_at_utc_ticks <= {asOf.UtcTicks}
                ORDER BY e.client_id, e.sequence DESC) last
            GROUP BY bucket
            """))
        {
            var (s, n) = ((int)row[0], (int)row[1]);
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

    /// <summary>Per open stage: the visits completed by the instant, their median and 90th percentile (nearest rank).</summary>
    public async Task<(int Count, TimeSpan? Median, TimeSpan? P90)[]> CompletedVisitsAsync(DateTimeOffset asOf)
    {
        var result = new (int Count, TimeSpan? Median, TimeSpan? P90)[pipeline.Stages.Count];
        foreach (var row in await QueryAsync($"""
            SELECT stage, count(*)::int, percentile_disc(0.5) WITHIN GROUP (ORDER BY d), percentile_disc(0.9) WITHIN GROUP (ORDER BY d)
            FROM (SELECT s.position AS stage, lead(e.occurred_at_utc_ticks) OVER (PARTITION BY e.client_id ORDER BY e.sequence) - e.occurred_at_utc_ticks AS d
                  FROM funnel_events e LEFT JOIN funnel_stages s ON s.pipeline_id = e.pipeline_id AND s.stage_key = e.to_stage
                  WHERE e.pipeline_id = @pipeline AND e.type = 'transition' AND e.occurred_at_utc_ticks <= {asOf.UtcTicks}) v
            WHERE d IS NOT NULL AND stage IS NOT NULL AND stage <> {Won}
            GROUP BY stage
            """))
        {
            result[(int)row[0]] = ((int)row[1], TimeSpan.FromTicks((long)row[2]), TimeSpan.FromTicks((long)row[3]));
        }

        return result;
    }

    /// <summary>Open clients whose time in stage is strictly greater than the stage's fixed threshold (by stage key).</summary>
    public async Task<HashSet<ClientId>> StalledAsync(DateTimeOffset asOf, IReadOnlyDictionary<StageId, TimeSpan> thresholds)
    {
        var values = string.Join(", ", thresholds.Select(t => $"({pipeline.IndexOf(t.Key)}, {t.Value.Ticks}::bigint)"));
        return [.. (await QueryAsync($"""
            SELECT l.client_id FROM (
                SELECT DISTINCT ON (e.client_id) e.client_id, s.position AS stage, e.transition_kind, e.occurred_at_utc_ticks AS at
                FROM funnel_events e LEFT JOIN funnel_stages s ON s.pipeline_id = e.pipeline_id AND s.stage_key = e.to_stage
                WHERE e.pipeline_id = @pipeline AND e.type = 'transition' AND e.occurred_at_utc_ticks <= {asOf.UtcTicks}
                ORDER BY e.client_id, e.sequence DESC) l
            JOIN (VALUES {values}) AS th(stage, ticks) ON th.stage = l.stage
            WHERE l.transition_kind <> 'Lost' AND l.stage <> {Won} AND {asOf.UtcTicks} - l.at > th.ticks
            """)).Select(row => new ClientId((string)row[0]))];
    }

    private async Task<List<object[]>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("pipeline", pipeline.Id.Value);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }
}
