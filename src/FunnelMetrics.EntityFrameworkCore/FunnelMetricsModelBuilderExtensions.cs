using FunnelMetrics.EntityFrameworkCore;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds the funnel's tables to an Entity Framework Core model.</summary>
public static class FunnelMetricsModelBuilderExtensions
{
    /// <summary>
    /// Maps the funnel's seven tables (<c>funnel_pipelines</c>, <c>funnel_stages</c>, <c>funnel_clients</c>,
    /// <c>funnel_client_attributes</c>, <c>funnel_events</c>, <c>funnel_client_states</c> and <c>funnel_feed</c>, whose
    /// one row is seeded) into the model, with their keys and indexes. Call it
    /// from your context's <c>OnModelCreating</c>, then create the tables with a migration
    /// (<c>dotnet ef migrations add AddFunnelMetrics</c>).
    /// </summary>
    /// <param name="modelBuilder">The model builder of your context.</param>
    /// <param name="schema">The database schema of the tables; <see langword="null"/> for the default schema. SQLite has no schemas: leave it null there.</param>
    /// <param name="identifierCollation">
    /// The collation of the id columns that reads are ordered by. FunnelMetrics orders ids ordinally (case-sensitive,
    /// by code point), so the collation must be a binary one: pass <c>"C"</c> on PostgreSQL, whose default collation
    /// follows a language's rules. <see langword="null"/> keeps the column default, which is binary on SQLite.
    /// </param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder ApplyFunnelMetricsConfiguration(this ModelBuilder modelBuilder, string? schema = null, string? identifierCollation = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        if (schema is not null && string.IsNullOrWhiteSpace(schema))
        {
            throw new ArgumentException("The schema must be null (the default schema) or a name; it is empty or white space.", nameof(schema));
        }

        const int IdLength = 200;

        modelBuilder.Entity<PipelineRecord>(b =>
        {
            b.ToTable("funnel_pipelines", schema);
            b.HasKey(p => p.PipelineId).HasName("pk_funnel_pipelines");
            var id = b.Property(p => p.PipelineId).HasColumnName("pipeline_id").HasMaxLength(IdLength);
            if (identifierCollation is not null)
            {
                id.UseCollation(identifierCollation);
            }

            b.Property(p => p.Name).HasColumnName("name").HasMaxLength(200);
            b.Property(p => p.WonStage).HasColumnName("won_stage").HasMaxLength(IdLength);
            b.Property(p => p.CurrencyCode).HasColumnName("currency_code").HasMaxLength(3);
            b.HasMany(p => p.Stages).WithOne().HasForeignKey(s => s.PipelineId).HasConstraintName("fk_funnel_stages_pipeline").OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<StageRecord>(b =>
        {
            b.ToTable("funnel_stages", schema);
            b.HasKey(s => new { s.PipelineId, s.Position }).HasName("pk_funnel_stages");
            b.HasIndex(s => new { s.PipelineId, s.StageKey }).IsUnique().HasDatabaseName("ux_funnel_stages_pipeline_key");
            b.Property(s => s.PipelineId).HasColumnName("pipeline_id").HasMaxLength(IdLength);
            b.Property(s => s.Position).HasColumnName("position").ValueGeneratedNever();
            b.Property(s => s.StageKey).HasColumnName("stage_key").HasMaxLength(IdLength);
            b.Property(s => s.DisplayName).HasColumnName("display_name").HasMaxLength(200);
            b.Property(s => s.StallThresholdTicks).HasColumnName("stall_threshold_ticks");
            b.Property(s => s.WinProbability).HasColumnName("win_probability");
        });

        modelBuilder.Entity<ClientRecord>(b =>
        {
            b.ToTable("funnel_clients", schema);
            b.HasKey(c => c.ClientId).HasName("pk_funnel_clients");
            b.HasIndex(c => new { c.PipelineId, c.ClientId }).HasDatabaseName("ix_funnel_clients_pipeline");

            // The change feed's order, of the whole store and of one pipeline.
            b.HasIndex(c => c.Position).IsUnique().HasDatabaseName("ux_funnel_clients_position");
            b.HasIndex(c => new { c.PipelineId, c.Position }).HasDatabaseName("ix_funnel_clients_pipeline_position");
            var id = b.Property(c => c.ClientId).HasColumnName("client_id").HasMaxLength(IdLength);
            if (identifierCollation is not null)
            {
                id.UseCollation(identifierCollation);
            }

            b.Property(c => c.PipelineId).HasColumnName("pipeline_id").HasMaxLength(IdLength);
            b.Property(c => c.Owner).HasColumnName("owner").HasMaxLength(IdLength);
            b.Property(c => c.CreatedAtUtcTicks).HasColumnName("created_at_utc_ticks");
            b.Property(c => c.Value).HasColumnName("value");
            b.Property(c => c.ExpectedCloseDate).HasColumnName("expected_close_date");
            b.Property(c => c.Position).HasColumnName("position").ValueGeneratedNever();
            b.HasMany(c => c.Attributes).WithOne().HasForeignKey(a => a.ClientId).HasConstraintName("fk_funnel_client_attributes_client").OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ClientAttributeRecord>(b =>
        {
            b.ToTable("funnel_client_attributes", schema);
            b.HasKey(a => new { a.ClientId, a.Key }).HasName("pk_funnel_client_attributes");
            var clientId = b.Property(a => a.ClientId).HasColumnName("client_id").HasMaxLength(IdLength);
            if (identifierCollation is not null)
            {
                // A foreign key column takes the collation of the key it references.
                clientId.UseCollation(identifierCollation);
            }

            b.Property(a => a.Key).HasColumnName("key").HasMaxLength(100);
            b.Property(a => a.Value).HasColumnName("value").HasMaxLength(1000);
        });

        modelBuilder.Entity<EventRecord>(b =>
        {
            b.ToTable("funnel_events", schema, t => t.HasCheckConstraint(
                "ck_funnel_events_type",
                $"type IN ('{EventRecord.TransitionType}', '{EventRecord.ActivityType}', '{EventRecord.ReassignmentType}', '{EventRecord.UpdateType}')"));
            b.HasKey(e => e.EventId).HasName("pk_funnel_events");

            // One row per (client, sequence): of two writers appending the same version, the database lets one in.
            b.HasIndex(e => new { e.ClientId, e.Sequence }).IsUnique().HasDatabaseName(FunnelMetricsSchema.StreamVersionIndex);

            // The pipeline read's keyset order: instant, client id, sequence.
            b.HasIndex(e => new { e.PipelineId, e.OccurredAtUtcTicks, e.ClientId, e.Sequence }).HasDatabaseName("ix_funnel_events_pipeline_order");

            // The change feed's order, of the whole store and of one pipeline.
            b.HasIndex(e => e.Position).IsUnique().HasDatabaseName("ux_funnel_events_position");
            b.HasIndex(e => new { e.PipelineId, e.Position }).HasDatabaseName("ix_funnel_events_pipeline_position");
            b.Property(e => e.EventId).HasColumnName("event_id").HasMaxLength(IdLength);
            var clientId = b.Property(e => e.ClientId).HasColumnName("client_id").HasMaxLength(IdLength);
            if (identifierCollation is not null)
            {
                clientId.UseCollation(identifierCollation);
            }

            b.Property(e => e.PipelineId).HasColumnName("pipeline_id").HasMaxLength(IdLength);
            b.Property(e => e.Sequence).HasColumnName("sequence");
            b.Property(e => e.Position).HasColumnName("position").ValueGeneratedNever();
            b.Property(e => e.Type).HasColumnName("type").HasMaxLength(16);
            b.Property(e => e.OccurredAtUtcTicks).HasColumnName("occurred_at_utc_ticks");
            b.Property(e => e.RecordedAtUtcTicks).HasColumnName("recorded_at_utc_ticks");
            b.Property(e => e.Owner).HasColumnName("owner").HasMaxLength(IdLength);
            b.Property(e => e.Note).HasColumnName("note").HasMaxLength(1000);
            b.Property(e => e.TransitionKind).HasColumnName("transition_kind").HasConversion<string>().HasMaxLength(16);
            b.Property(e => e.FromStage).HasColumnName("from_stage").HasMaxLength(IdLength);
            b.Property(e => e.ToStage).HasColumnName("to_stage").HasMaxLength(IdLength);
            b.Property(e => e.LostReason).HasColumnName("lost_reason").HasMaxLength(200);
            b.Property(e => e.PreviousOwner).HasColumnName("previous_owner").HasMaxLength(IdLength);
            b.Property(e => e.SetsValue).HasColumnName("sets_value");
            b.Property(e => e.Value).HasColumnName("value");
            b.Property(e => e.SetsExpectedCloseDate).HasColumnName("sets_expected_close_date");
            b.Property(e => e.ExpectedCloseDate).HasColumnName("expected_close_date");
            b.Property(e => e.AttributeChanges).HasColumnName("attribute_changes");
        });

        modelBuilder.Entity<ClientStateRecord>(b =>
        {
            b.ToTable(FunnelMetricsSchema.ClientStatesTable, schema);
            b.HasKey(s => s.ClientId).HasName("pk_funnel_client_states");
            var id = b.Property(s => s.ClientId).HasColumnName("client_id").HasMaxLength(IdLength);
            if (identifierCollation is not null)
            {
                id.UseCollation(identifierCollation);
            }

            b.Property(s => s.PipelineId).HasColumnName("pipeline_id").HasMaxLength(IdLength);
            b.Property(s => s.Owner).HasColumnName("owner").HasMaxLength(IdLength);
            b.Property(s => s.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            b.Property(s => s.Stage).HasColumnName("stage").HasMaxLength(IdLength);
            b.Property(s => s.StageEnteredAtUtcTicks).HasColumnName("stage_entered_at_utc_ticks");
            b.Property(s => s.LastEventAtUtcTicks).HasColumnName("last_event_at_utc_ticks");
            b.Property(s => s.LastTouchedAtUtcTicks).HasColumnName("last_touched_at_utc_ticks");
            b.Property(s => s.Version).HasColumnName("version");
        });

        modelBuilder.Entity<FeedRecord>(b =>
        {
            b.ToTable(FunnelMetricsSchema.FeedTable, schema);
            b.HasKey(f => f.Id).HasName("pk_funnel_feed");
            b.Property(f => f.Id).HasColumnName("id").ValueGeneratedNever();
            b.Property(f => f.Position).HasColumnName("position");

            // The one row every writer increments to take positions: it must exist before the first write.
            b.HasData(new FeedRecord { Id = FeedRecord.TheId, Position = 0 });
        });

        return modelBuilder;
    }
}
