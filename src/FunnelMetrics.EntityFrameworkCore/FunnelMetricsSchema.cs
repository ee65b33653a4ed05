namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>Names in the funnel's schema that code outside the mapping refers to.</summary>
internal static class FunnelMetricsSchema
{
    public const string StreamVersionIndex = "ux_funnel_events_client_sequence";

    public const string ClientStatesTable = "funnel_client_states";

    public const string FeedTable = "funnel_feed";

    /// <summary>The provider name of Npgsql's Entity Framework Core provider.</summary>
    public const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

    /// <summary>PostgreSQL's binary collation, which orders like <see cref="string.CompareOrdinal(string, string)"/> for UTF-8 text.</summary>
    public const string PostgresBinaryCollation = "C";
}
