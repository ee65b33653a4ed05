using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// The change feed's positions: the one row of <c>funnel_feed</c> holds the last position given, and every write
/// transaction takes its positions by incrementing it, as the last statement before its inserts and commit.
/// </summary>
/// <remarks>
/// <para>
/// Why no reader ever skips, on PostgreSQL: the <c>UPDATE</c> takes the row's lock, which its transaction holds until
/// it ends. A second writer's <c>UPDATE</c> waits for that lock, and under READ COMMITTED then re-reads the row's newest
/// version, so it starts after the first writer's positions (or reuses them when the first rolled back: positions roll
/// back with their transaction). PostgreSQL releases a transaction's locks only after its commit is visible to every
/// new snapshot (the commit is recorded and the transaction leaves the proc array before its locks go), so the
/// transactions that hold positions commit and become visible in position order: whenever a reader sees a position,
/// every lower position is already visible, and a row at or below a position read can never appear later. Reads are
/// also bounded by the committed counter (<see cref="ReadAsync"/>): every position at or below it is visible.
/// </para>
/// <para>
/// On SQLite the database lets one writer at a time in (Microsoft.Data.Sqlite begins transactions IMMEDIATE), so
/// positions are taken and made visible in one order anyway. The counter row costs writers their concurrency in the
/// short tail of the transaction (the inserts and the commit) on PostgreSQL: docs/storage.md gives the measured cost.
/// </para>
/// </remarks>
internal static class FeedCounter
{
    private static readonly ConditionalWeakTable<IModel, string> TakeSql = [];

    /// <summary>Takes <paramref name="count"/> positions in the context's current transaction; returns the last one (the first is one more than the result less the count).</summary>
    public static async Task<long> TakeAsync(DbContext context, int count, CancellationToken cancellationToken)
    {
        var sql = TakeSql.GetValue(context.Model, _ => BuildTakeSql(context));

        // Not composed on, so the provider runs the statement as written (a DML statement cannot be a subquery).
        var returned = await context.Database.SqlQueryRaw<long>(sql, (long)count).ToListAsync(cancellationToken).ConfigureAwait(false);
        return returned.Count == 1
            ? returned[0]
            : throw new InvalidOperationException($"The funnel_feed table has no row with id {FeedRecord.TheId}; it is seeded when the tables are created (see docs/storage.md for databases created before 0.3).");
    }

    /// <summary>The last position given, as committed: every position at or below it is visible.</summary>
    public static async Task<long> ReadAsync(DbContext context, CancellationToken cancellationToken) =>
        await context.Set<FeedRecord>().AsNoTracking()
            .Where(f => f.Id == FeedRecord.TheId)
            .Select(f => f.Position)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);

    private static string BuildTakeSql(DbContext context)
    {
        var feed = context.Model.FindEntityType(typeof(FeedRecord))
            ?? throw new InvalidOperationException($"The context {context.GetType().Name} has no funnel_feed table in its model: call ApplyFunnelMetricsConfiguration from its OnModelCreating.");
        var sql = context.GetService<ISqlGenerationHelper>();
        var table = sql.DelimitIdentifier(feed.GetTableName()!, feed.GetSchema());
        var table0 = StoreObjectIdentifier.Table(feed.GetTableName()!, feed.GetSchema());
        var position = sql.DelimitIdentifier(feed.FindProperty(nameof(FeedRecord.Position))!.GetColumnName(table0)!);
        var id = sql.DelimitIdentifier(feed.FindProperty(nameof(FeedRecord.Id))!.GetColumnName(table0)!);
        return $"UPDATE {table} SET {position} = {position} + {{0}} WHERE {id} = {FeedRecord.TheId} RETURNING {position} AS {sql.DelimitIdentifier("Value")}";
    }
}
