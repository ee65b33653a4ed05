using System.Security.Cryptography;
using System.Text;
using FunnelMetrics.Diagnostics;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.Import;

/// <summary>
/// Imports the history of many clients at once, such as a CRM's export: checks every record with the recorder's rules
/// and stores either all of it or nothing.
/// </summary>
/// <remarks>
/// <para>
/// An import runs in two phases. <b>Checking</b> groups the records by client, orders each client's records by time
/// (ties keep the order given), and replays them through the same rules as <see cref="FunnelRecorder"/>: known stages,
/// no entry straight into the won stage, no move of a closed client, no event before the previous one or in the future,
/// and so on. Every problem is collected with its record's <see cref="ImportRecord.Position"/>; after a client's first
/// rule problem its later records are not checked, since its state is unknown from there, and a client with a record
/// that is wrong in itself (an unknown stage, no stage, an over-long text) is not replayed at all. If any problem is found,
/// nothing is stored and the result lists the problems.
/// </para>
/// <para>
/// <b>Storing</b> goes through the stores' bulk writes, <see cref="ImportOptions.ChunkSize"/> clients at a time: the
/// chunk's new clients in one <see cref="IClientRepository.AddManyAsync"/>, then each client's events as one part of one
/// <see cref="IFunnelEventStore.AppendManyAsync"/> (atomic per client). The event ids are derived from the client and the
/// sequence (<see cref="ImportOptions.EventIdPrefix"/>), so an import is idempotent: a client already stored with the same
/// history is left unchanged, one stored with the start of it gets the rest. Should the store fail part way (a lost
/// connection), run the same import again to finish it: nothing is duplicated. A client already stored with a different
/// history, or in another pipeline, is a problem.
/// </para>
/// <para>
/// A stored client whose value, expected close date or attributes the records give differently from the client as of
/// now (its record with its <see cref="ClientUpdate"/> events applied) gets one <see cref="ClientUpdate"/> appended after
/// its history, at the instant of its last event (so the stream stays in time order and a later export's moves still
/// follow it), listed in <see cref="ImportResult.Updates"/>.
/// </para>
/// <para>The importer reads no clock but the injected <see cref="TimeProvider"/>, for the recorded instants and the future rule.</para>
/// </remarks>
public sealed class FunnelImporter
{
    private const int ProgressEvery = 4096;

    private readonly IPipelineRepository _pipelines;
    private readonly IClientRepository _clients;
    private readonly IFunnelEventStore _events;
    private readonly TimeProvider _timeProvider;
    private readonly RecordingOptions _options;
    private readonly FunnelMetricsInstrumentation? _instrumentation;

    /// <summary>Creates an importer over the given storage.</summary>
    /// <param name="pipelines">The pipelines.</param>
    /// <param name="clients">The clients.</param>
    /// <param name="events">The event store.</param>
    /// <param name="timeProvider">The clock for recorded instants and the future rule.</param>
    /// <param name="options">The recorder's checks (the options graph's <c>Recording</c> section): <see cref="RecordingOptions.FutureTolerance"/> applies. Validated here too, for use without a host.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names the setting, such as <c>Recording.FutureTolerance</c>.</exception>
    public FunnelImporter(IPipelineRepository pipelines, IClientRepository clients, IFunnelEventStore events, TimeProvider timeProvider, IOptions<RecordingOptions> options)
        : this(pipelines, clients, events, timeProvider, options, null)
    {
    }

    /// <summary>Creates an importer over the given storage that counts its rows and refusals on the <c>FunnelMetrics</c> meter (the constructor dependency injection uses).</summary>
    /// <param name="pipelines">The pipelines.</param>
    /// <param name="clients">The clients.</param>
    /// <param name="events">The event store.</param>
    /// <param name="timeProvider">The clock for recorded instants and the future rule.</param>
    /// <param name="options">The recorder's checks (the options graph's <c>Recording</c> section): <see cref="RecordingOptions.FutureTolerance"/> applies. Validated here too, for use without a host.</param>
    /// <param name="instrumentation">
    /// Where each import's rows read, stored and refused (<c>funnelmetrics.import.rows.*</c>) and its problems that name a
    /// rule (<c>funnelmetrics.refusals</c>) are counted; <see langword="null"/> for none.
    /// </param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names the setting, such as <c>Recording.FutureTolerance</c>.</exception>
    public FunnelImporter(IPipelineRepository pipelines, IClientRepository clients, IFunnelEventStore events, TimeProvider timeProvider, IOptions<RecordingOptions> options, FunnelMetricsInstrumentation? instrumentation)
    {
        _pipelines = pipelines ?? throw new ArgumentNullException(nameof(pipelines));
        _clients = clients ?? throw new ArgumentNullException(nameof(clients));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value ?? throw new ArgumentException("The options hold no value.", nameof(options));
        OptionsCheck.ThrowIfInvalid(RecordingOptionsValidator.Instance, "Recording", _options);
        _instrumentation = instrumentation;
    }

    /// <summary>Checks the records and, when there is no problem, stores them.</summary>
    /// <param name="pipelineId">The pipeline every record's client belongs to; it must be stored.</param>
    /// <param name="records">The records of any number of clients, in any order.</param>
    /// <param name="options">How to import; <see cref="ImportOptions.Default"/> when null.</param>
    /// <param name="progress">Told how far checking and storing are, every few thousand clients and at the end of each phase.</param>
    /// <param name="cancellationToken">Stops the import; when it stops while storing, run it again to finish.</param>
    /// <returns>What was stored, or every problem found (then nothing was stored).</returns>
    /// <exception cref="UnknownPipelineException">The pipeline is not stored.</exception>
    public async Task<ImportResult> ImportAsync(
        PipelineId pipelineId,
        IEnumerable<ImportRecord> records,
        ImportOptions? options = null,
        IProgress<ImportProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        TextRules.NotDefault(pipelineId, "The pipeline id", nameof(pipelineId));
        ArgumentNullException.ThrowIfNull(records);
        options ??= ImportOptions.Default;
        var pipeline = await _pipelines.GetAsync(pipelineId, cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownPipelineException(pipelineId);

        var problems = new ProblemList(options.MaxProblems);
        var warnings = new ProblemList(options.MaxProblems);
        var (byClient, count) = GroupByClient(pipeline, records, problems);
        var now = _timeProvider.GetUtcNow();
        var plans = new List<ClientPlan>(byClient.Count);
        var done = 0;
        var storedClients = await StoredClientsAsync(byClient, cancellationToken).ConfigureAwait(false);
        foreach (var (clientId, group) in byClient)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!group.Skip && await PlanAsync(pipeline, clientId, storedClients.GetValueOrDefault(clientId), group.Records, now, options, problems, warnings, cancellationToken).ConfigureAwait(false) is { } plan)
            {
                plans.Add(plan);
            }

            if (++done % ProgressEvery == 0)
            {
                progress?.Report(new ImportProgress(ImportPhase.Checking, done, byClient.Count));
            }
        }

        if (problems.Count == 0)
        {
            await CheckDerivedIdsAsync(plans, problems, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(new ImportProgress(ImportPhase.Checking, byClient.Count, byClient.Count));
        var result = Result(options, count, byClient.Count, problems.Count == 0 ? plans : [], problems, warnings);
        if (!result.Succeeded || options.ValidateOnly)
        {
            Measure(pipelineId, count, [], problems);
            return result;
        }

        var stored = new List<ClientPlan>(plans.Count);
        for (var start = 0; start < plans.Count; start += options.ChunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = plans.GetRange(start, Math.Min(options.ChunkSize, plans.Count - start));
            var refused = await StoreChunkAsync(chunk, stored, cancellationToken).ConfigureAwait(false);
            if (refused.Count > 0)
            {
                // Another writer (not another import of the same records) changed these clients meanwhile, in a way
                // that is not the start of this import's history: stop after this chunk; what is stored stays, and a
                // rerun is safe.
                var interrupted = new ProblemList(options.MaxProblems);
                foreach (var (plan, ex) in refused)
                {
                    interrupted.Add(new ImportProblem(plan.Positions[0], plan.Client.Id, ImportField.Record, $"{ex.Message} The import stopped after the chunk of clients holding this one: {stored.Count} client(s) are stored, the others are not. Run the same import again: what is stored is recognised and nothing is duplicated.", RuleOf(ex)));
                }

                Measure(pipelineId, count, stored, interrupted);
                return Result(options, count, byClient.Count, stored, interrupted, warnings, interrupted: true);
            }

            if (stored.Count / ProgressEvery > (stored.Count - chunk.Count) / ProgressEvery && stored.Count < plans.Count)
            {
                progress?.Report(new ImportProgress(ImportPhase.Storing, stored.Count, plans.Count));
            }
        }

        progress?.Report(new ImportProgress(ImportPhase.Storing, plans.Count, plans.Count));
        Measure(pipelineId, count, plans, problems);
        return Result(options, count, byClient.Count, plans, problems, warnings);
    }

    /// <summary>
    /// Counts one import on the meter: the records read; those stored (the distinct records behind the events this
    /// import appended of the plans stored: a rerun's records already stored are not counted again); those with a
    /// problem; and each problem that names a rule, as a refusal.
    /// </summary>
    private void Measure(PipelineId pipelineId, long read, List<ClientPlan> stored, ProblemList problems)
    {
        if (_instrumentation is null)
        {
            return;
        }

        long rows = 0;
        var positions = new HashSet<long>();
        foreach (var plan in stored)
        {
            positions.Clear();
            for (var i = (int)plan.StoredVersion; i < plan.Positions.Count; i++)
            {
                positions.Add(plan.Positions[i]);
            }

            rows += positions.Count;
        }

        _instrumentation.Imported(pipelineId, read, rows, problems.Records);
        foreach (var (rule, refusals) in problems.Rules)
        {
            _instrumentation.Refused(rule, pipelineId, FunnelMetricsInstrumentation.FromImporter, refusals);
        }
    }

    /// <summary>
    /// The stored clients among those the records name, looked up together (<see cref="IClientRepository.GetManyAsync"/>:
    /// a few queries in a database store rather than one per client).
    /// </summary>
    private async Task<Dictionary<ClientId, Client>> StoredClientsAsync(Dictionary<ClientId, ClientRecords> byClient, CancellationToken cancellationToken)
    {
        var ids = new List<ClientId>(byClient.Count);
        foreach (var (id, group) in byClient)
        {
            if (!group.Skip)
            {
                ids.Add(id);
            }
        }

        var found = new Dictionary<ClientId, Client>();
        await foreach (var client in _clients.GetManyAsync(ids, cancellationToken).ConfigureAwait(false))
        {
            found[client.Id] = client;
        }

        return found;
    }
    private static ImportResult Result(ImportOptions options, long records, int clients, List<ClientPlan> plans, ProblemList problems, ProblemList warnings, bool interrupted = false)
    {
        int added = 0, extended = 0, unchanged = 0, updated = 0;
        long appended = 0;
        var updates = new ProblemList(options.MaxProblems);
        foreach (var p in plans)
        {
            appended += p.Events.Count - p.StoredVersion;
            if (p.IsNew)
            {
                added++;
            }
            else if (p.Events.Count == p.StoredVersion)
            {
                unchanged++;
            }
            else
            {
                extended++;
            }

            if (p.Changes.Count > 0)
            {
                updated++;
                foreach (var change in p.Changes)
                {
                    updates.Add(change);
                }
            }
        }

        return new ImportResult(
            options.ValidateOnly,
            records,
            clients,
            added,
            extended,
            unchanged,
            appended,
            [.. problems.Items.OrderBy(p => p.Position)],
            problems.Truncated,
            [.. warnings.Items.OrderBy(p => p.Position)],
            warnings.Truncated,
            interrupted,
            updated,
            [.. updates.Items.OrderBy(p => p.Position)],
            updates.Truncated);
    }

    private static FunnelRule? RuleOf(Exception ex) => (ex as FunnelRuleException)?.Rule;

    /// <summary>
    /// Stores one chunk of plans through the bulk writes: the new clients in one call, then every client's events as one
    /// part each. A part refused because another writer appended to the client first (a version conflict, or an id
    /// conflict when the other writer committed between the store's version check and its insert) is read again: if the
    /// stored history is the start of the planned one (the same import running twice at once), the rest is appended in
    /// the next round. The plans stored (or found stored) are added to <paramref name="stored"/>; the others are returned
    /// with the store's reason.
    /// </summary>
    private async Task<List<(ClientPlan Plan, Exception Error)>> StoreChunkAsync(List<ClientPlan> chunk, List<ClientPlan> stored, CancellationToken cancellationToken)
    {
        var refused = new List<(ClientPlan Plan, Exception Error)>();
        var newClients = new List<Client>();
        foreach (var plan in chunk)
        {
            if (plan.IsNew)
            {
                newClients.Add(plan.Client);
            }
        }

        Dictionary<ClientId, ClientConflictException>? conflicting = null;
        if (newClients.Count > 0)
        {
            var added = await _clients.AddManyAsync(newClients, cancellationToken).ConfigureAwait(false);
            foreach (var result in added)
            {
                if (result.Conflict is { } conflict)
                {
                    (conflicting ??= [])[result.Client.Id] = conflict;
                }
            }
        }

        var pending = new List<(ClientPlan Plan, long From)>(chunk.Count);
        foreach (var plan in chunk)
        {
            if (conflicting is not null && conflicting.TryGetValue(plan.Client.Id, out var conflict))
            {
                refused.Add((plan, conflict));
                continue;
            }

            if (plan.Events.Count > plan.StoredVersion)
            {
                pending.Add((plan, plan.StoredVersion));
            }
            else
            {
                stored.Add(plan);
            }
        }

        for (var attempt = 0; pending.Count > 0; attempt++)
        {
            var parts = new StreamAppend[pending.Count];
            for (var i = 0; i < parts.Length; i++)
            {
                var (plan, from) = pending[i];
                parts[i] = new StreamAppend(plan.Client.Id, from, from == 0 ? plan.Events : plan.Events.GetRange((int)from, plan.Events.Count - (int)from));
            }

            var results = await _events.AppendManyAsync(parts, cancellationToken).ConfigureAwait(false);
            var next = new List<(ClientPlan Plan, long From)>();
            for (var i = 0; i < results.Count; i++)
            {
                var plan = pending[i].Plan;
                if (results[i].Succeeded)
                {
                    stored.Add(plan);
                }
                else if (results[i].Error is ConcurrencyConflictException or EventIdConflictException && attempt < 3
                    && await StoredPrefixAsync(plan, cancellationToken).ConfigureAwait(false) is { } prefix)
                {
                    if (prefix == plan.Events.Count)
                    {
                        stored.Add(plan);
                    }
                    else
                    {
                        next.Add((plan, prefix));
                    }
                }
                else
                {
                    refused.Add((plan, results[i].Error!));
                }
            }

            pending = next;
        }

        return refused;
    }

    /// <summary>How many of the plan's events the store holds, or null when its history is not a start of the plan.</summary>
    private async Task<long?> StoredPrefixAsync(ClientPlan plan, CancellationToken cancellationToken)
    {
        long version = 0;
        await foreach (var e in _events.ReadClientAsync(plan.Client.Id, cancellationToken).ConfigureAwait(false))
        {
            if (version >= plan.Events.Count || !SameEvent(e, plan.Events[(int)version]))
            {
                return null;
            }

            version++;
        }

        return version;
    }

    /// <summary>
    /// Checks that no event id the import derives is already stored for another event (one the recorder stored under
    /// such an id, say): found before anything is stored, so a rerun does not fail the same way half-way.
    /// </summary>
    private async Task CheckDerivedIdsAsync(List<ClientPlan> plans, ProblemList problems, CancellationToken cancellationToken)
    {
        var planned = new Dictionary<ClientEventId, (ClientPlan Plan, int Index)>();
        foreach (var plan in plans)
        {
            for (var i = (int)plan.StoredVersion; i < plan.Events.Count; i++)
            {
                if (!planned.TryAdd(plan.Events[i].Id, (plan, i)))
                {
                    // Two clients derive one id: a client id that is the hash standing in for another's over-long id.
                    var first = planned[plan.Events[i].Id];
                    problems.Add(new ImportProblem(plan.Positions[i], plan.Client.Id, ImportField.ClientId, $"The import derives the event id '{plan.Events[i].Id}' both for event #{i + 1} of client '{plan.Client.Id}' and for event #{first.Index + 1} of client '{first.Plan.Client.Id}'. Nothing was stored; import one of them with another ImportOptions.EventIdPrefix."));
                }
            }
        }

        if (planned.Count == 0)
        {
            return;
        }

        await foreach (var stored in _events.FindManyAsync(planned.Keys, cancellationToken).ConfigureAwait(false))
        {
            // The very event this import plans, stored meanwhile by the same import running elsewhere, is no collision.
            if (planned.TryGetValue(stored.Id, out var at)
                && !(stored.ClientId == at.Plan.Client.Id && stored.Sequence == at.Index + 1 && SameEvent(stored, at.Plan.Events[at.Index])))
            {
                var plan = at.Plan;
                problems.Add(new ImportProblem(plan.Positions[at.Index], plan.Client.Id, ImportField.Record, $"The import derives the event id '{stored.Id}' for event #{at.Index + 1} of client '{plan.Client.Id}', but the store already holds that id for event #{stored.Sequence} of client '{stored.ClientId}' (at {stored.OccurredAt:O}). Nothing was stored; import with another ImportOptions.EventIdPrefix."));
            }
        }
    }

    /// <summary>Groups the records by client in first-seen order and orders each client's records by time, ties by input order.</summary>
    private static (Dictionary<ClientId, ClientRecords> ByClient, long Count) GroupByClient(PipelineDefinition pipeline, IEnumerable<ImportRecord> records, ProblemList problems)
    {
        var byClient = new Dictionary<ClientId, ClientRecords>();
        long ordinal = 0;
        foreach (var record in records)
        {
            ordinal++;
            if (record is null)
            {
                problems.Add(new ImportProblem(ordinal, null, ImportField.Record, $"Record {ordinal} is null."));
                continue;
            }

            var position = record.Position != 0 ? record.Position : ordinal;
            if (record.ClientId.IsDefault)
            {
                problems.Add(new ImportProblem(position, null, ImportField.ClientId, $"Record {position} has no client id."));
                continue;
            }

            if (!byClient.TryGetValue(record.ClientId, out var group))
            {
                group = new ClientRecords();
                byClient.Add(record.ClientId, group);
            }

            group.Records.Add(new Positioned(record, position, ordinal));
            if (CheckRecord(pipeline, record, position, problems) is false)
            {
                group.Skip = true;
            }
        }

        foreach (var group in byClient.Values)
        {
            group.Records.Sort(static (a, b) =>
            {
                var byTime = a.Record.OccurredAt.UtcTicks.CompareTo(b.Record.OccurredAt.UtcTicks);
                return byTime != 0 ? byTime : a.Ordinal.CompareTo(b.Ordinal);
            });
        }

        return (byClient, ordinal);
    }

    /// <summary>The checks of one record that need no history; false when it has a problem.</summary>
    private static bool CheckRecord(PipelineDefinition pipeline, ImportRecord record, long position, ProblemList problems)
    {
        var ok = true;
        var client = record.ClientId;
        switch (record.Action)
        {
            case ImportAction.ReachedStage when record.Stage is not { IsDefault: false } stage:
                ok = problems.Add(new ImportProblem(position, client, ImportField.Stage, $"Record {position} of client '{client}' says it reached a stage but names none."));
                break;
            case ImportAction.ReachedStage when !pipeline.Contains(record.Stage.Value):
                ok = problems.Add(new ImportProblem(position, client, ImportField.Stage, new UnknownStageException(pipeline.Id, record.Stage.Value, client).Message));
                break;
            case ImportAction.ReachedStage or ImportAction.Lost or ImportAction.Activity:
                break;
            default:
                ok = problems.Add(new ImportProblem(position, client, ImportField.Stage, $"Record {position} of client '{client}' has the unknown action {(int)record.Action}."));
                break;
        }

        if (record.Value is < 0 or > Client.MaxValue)
        {
            ok = problems.Add(new ImportProblem(position, client, ImportField.Value, $"The value of client '{client}' must be from 0 to {Client.MaxValue:N0} (10^18); record {position} gives {record.Value}."));
        }

        if (record.OccurredAt == default)
        {
            ok = problems.Add(new ImportProblem(position, client, ImportField.OccurredAt, $"Record {position} of client '{client}' has no instant: OccurredAt is the unset default (0001-01-01)."));
        }

        if (Text(record.LostReason) is { } reason && TextProblem(reason, TextRules.MaxLostReasonLength, $"The lost reason of client '{client}'") is { } reasonProblem)
        {
            ok = problems.Add(new ImportProblem(position, client, ImportField.LostReason, reasonProblem));
        }

        if (Text(record.Note) is { } note && TextProblem(note, TextRules.MaxNoteLength, $"The note of client '{client}'") is { } noteProblem)
        {
            ok = problems.Add(new ImportProblem(position, client, ImportField.Note, noteProblem));
        }

        return ok;
    }

    /// <summary>A note or lost reason as the import stores it: an empty or white-space one is no note (a CRM export's blank cell).</summary>
    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string? TextProblem(string value, int maxLength, string what) =>
        value.Length > maxLength
            ? $"{what} is {value.Length} characters long; at most {maxLength} are allowed."
            : TextRules.Unstorable(value, what);

    /// <summary>Replays one client's records through the rules; null when they break one (the problem is recorded).</summary>
    private async Task<ClientPlan?> PlanAsync(PipelineDefinition pipeline, ClientId clientId, Client? stored, List<Positioned> records, DateTimeOffset now, ImportOptions options, ProblemList problems, ProblemList warnings, CancellationToken cancellationToken)
    {
        var first = records[0];
        if (stored is not null && stored.PipelineId != pipeline.Id)
        {
            problems.Add(new ImportProblem(first.Position, clientId, ImportField.ClientId, $"Client '{clientId}' is already stored in pipeline '{stored.PipelineId}', not in '{pipeline.Id}' which is imported into."));
            return null;
        }

        var client = stored;
        if (client is null)
        {
            if (first.Record.Owner.IsDefault)
            {
                problems.Add(new ImportProblem(first.Position, clientId, ImportField.Owner, $"The first record of client '{clientId}' (at {first.Record.OccurredAt:O}) names no owner; a new client needs one."));
                return null;
            }

            try
            {
                client = new Client(clientId, pipeline.Id, first.Record.Owner, TextRules.Utc(first.Record.OccurredAt), LastValue(records)?.Value, MergeAttributes(records), LastCloseDate(records)?.Date);
            }
            catch (ArgumentException ex)
            {
                problems.Add(new ImportProblem(first.Position, clientId, FieldOf(ex), TextRules.MessageOf(ex)));
                return null;
            }
        }

        // A stored client's stream: the history its records derive must be its start, with the updates stored in it
        // (by an earlier import or the recorder) kept where they are.
        List<ClientEvent>? storedEvents = null;
        if (stored is not null)
        {
            storedEvents = [];
            await foreach (var e in _events.ReadClientAsync(clientId, cancellationToken).ConfigureAwait(false))
            {
                storedEvents.Add(e);
            }
        }

        var state = ClientState.Initial(client);
        var asOfNow = client;
        var events = new List<ClientEvent>(records.Count + 2);
        var positions = new List<long>(records.Count + 2);
        var current = first;
        try
        {
            foreach (var positioned in records)
            {
                current = positioned;
                var record = positioned.Record;
                var at = TextRules.Utc(record.OccurredAt);
                if (!record.Owner.IsDefault && record.Owner != state.Owner)
                {
                    SpliceStoredUpdates(storedEvents, ref state, ref asOfNow, events, positions, positioned.Position);
                    var handOver = new RecordRequest(RequestKind.Reassign, clientId, at, null, null, NewOwner: record.Owner);
                    state = Append(pipeline, client, state, handOver, at, now, options, events);
                    positions.Add(positioned.Position);
                }

                var note = Text(record.Note);
                SpliceStoredUpdates(storedEvents, ref state, ref asOfNow, events, positions, positioned.Position);
                var request = record.Action switch
                {
                    ImportAction.Lost => new RecordRequest(RequestKind.Lose, clientId, at, note, null, LostReason: Text(record.LostReason)),
                    ImportAction.Activity => new RecordRequest(RequestKind.Activity, clientId, at, note, null),
                    _ when state.Status is ClientStatus.Won or ClientStatus.Lost => new RecordRequest(RequestKind.Reopen, clientId, at, note, null, Stage: record.Stage),
                    _ => new RecordRequest(RequestKind.Move, clientId, at, note, null, Stage: record.Stage),
                };
                state = Append(pipeline, client, state, request, at, now, options, events);
                positions.Add(positioned.Position);
            }

            SpliceStoredUpdates(storedEvents, ref state, ref asOfNow, events, positions, records[^1].Position);
        }
        catch (FunnelMetricsException ex)
        {
            var rule = (ex as FunnelRuleException)?.Rule;
            problems.Add(new ImportProblem(current.Position, clientId, FieldOf(rule), ex.Message, rule));
            return null;
        }
        catch (ArgumentException ex)
        {
            // A value the model refuses that the record checks did not foresee: still a problem of that record, never a throw.
            problems.Add(new ImportProblem(current.Position, clientId, FieldOf(ex), TextRules.MessageOf(ex)));
            return null;
        }

        long storedVersion = 0;
        List<ImportProblem> changes = [];
        if (storedEvents is not null)
        {
            foreach (var e in storedEvents)
            {
                if (storedVersion >= events.Count || !SameEvent(e, events[(int)storedVersion]))
                {
                    problems.Add(new ImportProblem(first.Position, clientId, ImportField.Record, $"Client '{clientId}' is already stored with a history that differs from the imported one at event #{storedVersion + 1} ('{e.Id}' at {e.OccurredAt:O}); an import may only add to the end of a history it stored before."));
                    return null;
                }

                if (!string.Equals(e.Note, events[(int)storedVersion].Note, StringComparison.Ordinal))
                {
                    warnings.Add(new ImportProblem(positions[(int)storedVersion], clientId, ImportField.Note, $"Event #{storedVersion + 1} of client '{clientId}' (at {e.OccurredAt:O}) is stored with {Quoted(e.Note, "no note")}; the records give {Quoted(events[(int)storedVersion].Note, "none")}. The stored note is kept: an import does not change stored events."));
                }

                if (e is StageTransition { Kind: TransitionKind.Lost } lost && events[(int)storedVersion] is StageTransition imported
                    && !string.Equals(lost.LostReason, imported.LostReason, StringComparison.Ordinal))
                {
                    warnings.Add(new ImportProblem(positions[(int)storedVersion], clientId, ImportField.LostReason, $"The loss of client '{clientId}' at {e.OccurredAt:O} is stored with {Quoted(lost.LostReason, "no reason")}; the records give {Quoted(imported.LostReason, "none")}. The stored reason is kept: an import does not change stored events."));
                }

                storedVersion++;
            }

            try
            {
                if (PlanUpdate(asOfNow, state, records, now, options, changes) is { } update)
                {
                    _ = asOfNow.Apply(update);
                    state = state.Apply(update);
                    events.Add(update);
                    positions.Add(changes[0].Position);
                }
            }
            catch (ArgumentException ex)
            {
                // Such as more than 64 attributes once the changes are applied.
                problems.Add(new ImportProblem(records[^1].Position, clientId, FieldOf(ex), TextRules.MessageOf(ex)));
                return null;
            }
        }

        return new ClientPlan(client, stored is null, storedVersion, events, positions, changes);
    }

    /// <summary>
    /// Takes the stored updates that come next in the client's stored stream into the plan, where they are: an import
    /// derives no update but keeps those stored, so a stream with them is still the start of the imported history.
    /// </summary>
    private static void SpliceStoredUpdates(List<ClientEvent>? storedEvents, ref ClientState state, ref Client asOfNow, List<ClientEvent> events, List<long> positions, long position)
    {
        if (storedEvents is null)
        {
            return;
        }

        while (state.Version < storedEvents.Count && storedEvents[(int)state.Version] is ClientUpdate update)
        {
            state = state.Apply(update);
            asOfNow = asOfNow.Apply(update);
            events.Add(update);
            positions.Add(position);
        }
    }

    /// <summary>
    /// The update a stored client needs so that, as of now, it has the value, expected close date and attributes the
    /// records give (a value or date the records leave empty, or an attribute they do not name, is kept): null when
    /// nothing differs. Each change is listed in <paramref name="changes"/>. The update occurs at the client's last
    /// event, so the stream stays in time order.
    /// </summary>
    private static ClientUpdate? PlanUpdate(Client asOfNow, ClientState state, List<Positioned> records, DateTimeOffset now, ImportOptions options, List<ImportProblem> changes)
    {
        var clientId = asOfNow.Id;
        var value = LastValue(records);
        var setsValue = value is { } v && v.Value != asOfNow.Value;
        if (setsValue)
        {
            changes.Add(new ImportProblem(value!.Value.Position, clientId, ImportField.Value, $"Client '{clientId}' had the value {asOfNow.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}; the records give {value.Value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}, recorded as an update."));
        }

        var date = LastCloseDate(records);
        var setsDate = date is { } d && d.Date != asOfNow.ExpectedCloseDate;
        if (setsDate)
        {
            changes.Add(new ImportProblem(date!.Value.Position, clientId, ImportField.ExpectedCloseDate, $"Client '{clientId}' had the expected close date {asOfNow.ExpectedCloseDate?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}; the records give {date.Value.Date.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}, recorded as an update."));
        }

        Dictionary<string, string?>? attributes = null;
        foreach (var (key, (given, position)) in AttributeSources(records))
        {
            if (!asOfNow.Attributes.TryGetValue(key, out var kept) || !string.Equals(kept, given, StringComparison.Ordinal))
            {
                (attributes ??= new Dictionary<string, string?>(StringComparer.Ordinal))[key] = given;
                changes.Add(new ImportProblem(position, clientId, ImportField.Attributes, $"Client '{clientId}' had {(kept is null ? $"no attribute '{key}'" : $"the attribute {key} = {Quoted(kept, "")}")}; the records give {Quoted(given, "")}, recorded as an update."));
            }
        }

        if (!setsValue && !setsDate && attributes is null)
        {
            return null;
        }

        var sequence = state.Version + 1;
        return new ClientUpdate(
            DeriveEventId(options.EventIdPrefix, clientId, sequence),
            clientId,
            asOfNow.PipelineId,
            sequence,
            state.LastEventAt ?? TextRules.Utc(records[^1].Record.OccurredAt),
            now,
            state.Owner,
            setsValue,
            setsValue ? value!.Value.Value : null,
            setsDate,
            setsDate ? date!.Value.Date : null,
            attributes);
    }

    private static string Quoted(string? text, string none) => text is null ? none : $"'{TextRules.Printable(text.Length > 60 ? text[..60] + "..." : text)}'";

    private ClientState Append(PipelineDefinition pipeline, Client client, ClientState state, RecordRequest request, DateTimeOffset at, DateTimeOffset now, ImportOptions options, List<ClientEvent> events)
    {
        var id = DeriveEventId(options.EventIdPrefix, client.Id, state.Version + 1);
        var next = FunnelRules.Decide(pipeline, client, state, request, at, now, _options.FutureTolerance, id);
        events.Add(next);
        return state.Apply(next);
    }

    /// <summary>Whether a stored event is the one the import derives (the recorded instant aside, which is the import's own).</summary>
    private static bool SameEvent(ClientEvent stored, ClientEvent imported) =>
        stored.Id == imported.Id
        && stored.GetType() == imported.GetType()
        && stored.OccurredAt == imported.OccurredAt
        && stored.Owner == imported.Owner
        && (stored is not StageTransition s || (imported is StageTransition i && s.Kind == i.Kind && s.ToStage == i.ToStage));

    private static ClientEventId DeriveEventId(string prefix, ClientId clientId, long sequence)
    {
        var suffix = $"#{sequence}";
        var client = clientId.Value;
        if (prefix.Length + client.Length + suffix.Length > 200)
        {
            client = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(client)));
        }

        return new ClientEventId(prefix + client + suffix);
    }

    /// <summary>The field a model constructor's refusal is about, by the parameter it names.</summary>
    private static ImportField FieldOf(ArgumentException ex) => ex.ParamName switch
    {
        "value" => ImportField.Value,
        "createdAt" or "occurredAt" => ImportField.OccurredAt,
        "attributes" => ImportField.Attributes,
        "note" => ImportField.Note,
        "lostReason" => ImportField.LostReason,
        "owner" or "previousOwner" => ImportField.Owner,
        "toStage" or "fromStage" => ImportField.Stage,
        _ => ImportField.Record,
    };

    private static ImportField FieldOf(FunnelRule? rule) => rule switch
    {
        FunnelRule.EventBeforePreviousEvent or FunnelRule.EventBeforeClientCreated or FunnelRule.EventInFuture => ImportField.OccurredAt,
        FunnelRule.SameOwner => ImportField.Owner,
        _ => ImportField.Stage,
    };

    /// <summary>The last non-empty value among the records, with the position of its record.</summary>
    private static (decimal Value, long Position)? LastValue(List<Positioned> records)
    {
        for (var i = records.Count - 1; i >= 0; i--)
        {
            if (records[i].Record.Value is { } value)
            {
                return (value, records[i].Position);
            }
        }

        return null;
    }

    /// <summary>The last non-empty expected close date among the records, with the position of its record.</summary>
    private static (DateOnly Date, long Position)? LastCloseDate(List<Positioned> records)
    {
        for (var i = records.Count - 1; i >= 0; i--)
        {
            if (records[i].Record.ExpectedCloseDate is { } date)
            {
                return (date, records[i].Position);
            }
        }

        return null;
    }

    private static Dictionary<string, string>? MergeAttributes(List<Positioned> records)
    {
        Dictionary<string, string>? merged = null;
        foreach (var positioned in records)
        {
            if (positioned.Record.Attributes is { Count: > 0 } attributes)
            {
                merged ??= new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (key, value) in attributes)
                {
                    merged[key] = value;
                }
            }
        }

        return merged;
    }

    /// <summary>The union of the records' attributes, a later record winning, each with the position of the record that gave it; ordered by key (ordinal).</summary>
    private static SortedDictionary<string, (string Value, long Position)> AttributeSources(List<Positioned> records)
    {
        var merged = new SortedDictionary<string, (string Value, long Position)>(StringComparer.Ordinal);
        foreach (var positioned in records)
        {
            if (positioned.Record.Attributes is { Count: > 0 } attributes)
            {
                foreach (var (key, value) in attributes)
                {
                    merged[key] = (value, positioned.Position);
                }
            }
        }

        return merged;
    }

    private readonly record struct Positioned(ImportRecord Record, long Position, long Ordinal);

    private sealed class ClientRecords
    {
        public List<Positioned> Records { get; } = [];

        public bool Skip { get; set; }
    }

    /// <summary>
    /// One client's import: its events (the first <see cref="StoredVersion"/> already stored), each event's record
    /// position, and the changes of its update (the last event) when it has one.
    /// </summary>
    private sealed record ClientPlan(Client Client, bool IsNew, long StoredVersion, List<ClientEvent> Events, List<long> Positions, List<ImportProblem> Changes);

    /// <summary>Problems in the order found, up to a limit.</summary>
    private sealed class ProblemList(int max)
    {
        private readonly List<ImportProblem> _items = [];
        private readonly HashSet<long> _positions = [];
        private readonly Dictionary<FunnelRule, long> _rules = [];

        public IReadOnlyList<ImportProblem> Items => _items;

        public int Count { get; private set; }

        /// <summary>How many distinct records (positions) have a problem, all counted (not only those kept).</summary>
        public long Records => _positions.Count;

        /// <summary>How many problems name each rule, all counted.</summary>
        public IReadOnlyDictionary<FunnelRule, long> Rules => _rules;

        public bool Truncated => Count > _items.Count;

        /// <summary>Adds a problem; always returns false, for "the record is not fine".</summary>
        public bool Add(ImportProblem problem)
        {
            Count++;
            _positions.Add(problem.Position);
            if (problem.Rule is { } rule)
            {
                _rules[rule] = _rules.GetValueOrDefault(rule) + 1;
            }

            if (_items.Count < max)
            {
                _items.Add(problem);
            }

            return false;
        }
    }
}
