using Npgsql;
using NpgsqlTypes;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>Nullable values into a binary COPY: the value with its PostgreSQL type, or NULL.</summary>
internal static class Copy
{
    public static Task TextAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    public static Task Int64Async(NpgsqlBinaryImporter importer, long? value, CancellationToken cancellationToken) =>
        value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Bigint, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    public static Task BooleanAsync(NpgsqlBinaryImporter importer, bool? value, CancellationToken cancellationToken) =>
        value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Boolean, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    public static Task NumericAsync(NpgsqlBinaryImporter importer, decimal? value, CancellationToken cancellationToken) =>
        value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Numeric, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    public static Task DateAsync(NpgsqlBinaryImporter importer, DateOnly? value, CancellationToken cancellationToken) =>
        value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Date, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
