namespace FunnelMetrics.AspNetCore;

/// <summary>The body of <c>POST /pipelines/{pipelineId}/clients</c>: a client to add to the pipeline.</summary>
/// <param name="Id">The client's id, the CRM's own key; adding an equal client again is a no-op (200).</param>
/// <param name="Owner">The sales manager who owns it.</param>
/// <param name="CreatedAt">When it was created, ISO 8601 with an offset; omitted for now (a retry then matches the stored client whatever its instant).</param>
/// <param name="Value">The deal value, optional.</param>
/// <param name="ExpectedCloseDate">The expected close date, <c>yyyy-MM-dd</c>, optional.</param>
/// <param name="Attributes">Attributes to filter metrics by, such as <c>{"region": "north"}</c>, optional.</param>
public sealed record AddClientRequest(string Id, string Owner, DateTimeOffset? CreatedAt = null, decimal? Value = null, DateOnly? ExpectedCloseDate = null, IReadOnlyDictionary<string, string>? Attributes = null);

/// <summary>The body of <c>POST .../clients/{clientId}/moves</c>: the client reached a stage.</summary>
/// <param name="Stage">The stage reached; the first move enters the client into the pipeline.</param>
/// <param name="OccurredAt">When, ISO 8601 with an offset; omitted for now.</param>
/// <param name="Note">The one action done with the client, at most 1000 characters, optional.</param>
public sealed record MoveRequest(string Stage, DateTimeOffset? OccurredAt = null, string? Note = null);

/// <summary>The body of <c>POST .../clients/{clientId}/losses</c>: the client was lost at the stage it is in.</summary>
/// <param name="LostReason">Why, at most 200 characters, optional.</param>
/// <param name="OccurredAt">When, ISO 8601 with an offset; omitted for now.</param>
/// <param name="Note">The one action done with the client, optional.</param>
public sealed record LoseRequest(string? LostReason = null, DateTimeOffset? OccurredAt = null, string? Note = null);

/// <summary>The body of <c>POST .../clients/{clientId}/reopenings</c>: a won or lost client taken back into an open stage.</summary>
/// <param name="Stage">The open stage it resumes at.</param>
/// <param name="OccurredAt">When, ISO 8601 with an offset; omitted for now.</param>
/// <param name="Note">The one action done with the client, optional.</param>
public sealed record ReopenRequest(string Stage, DateTimeOffset? OccurredAt = null, string? Note = null);

/// <summary>The body of <c>POST .../clients/{clientId}/activities</c>: an action with the client that changes no stage, such as a call.</summary>
/// <param name="Note">What was done, at most 1000 characters, optional.</param>
/// <param name="OccurredAt">When, ISO 8601 with an offset; omitted for now.</param>
public sealed record ActivityRequest(string? Note = null, DateTimeOffset? OccurredAt = null);

/// <summary>The body of <c>POST .../clients/{clientId}/reassignments</c>: the client handed to another owner.</summary>
/// <param name="Owner">The new owner.</param>
/// <param name="OccurredAt">When, ISO 8601 with an offset; omitted for now.</param>
/// <param name="Note">A short note, optional.</param>
public sealed record ReassignRequest(string Owner, DateTimeOffset? OccurredAt = null, string? Note = null);

/// <summary>
/// The body of <c>POST .../clients/{clientId}/updates</c>: the client's details changed. Set at least one of
/// <see cref="Value"/>, <see cref="ClearValue"/>, <see cref="ExpectedCloseDate"/>, <see cref="ClearExpectedCloseDate"/>
/// or <see cref="Attributes"/>.
/// </summary>
/// <param name="Value">The new deal value; omitted to leave it.</param>
/// <param name="ClearValue">Whether to remove the deal value; not with <paramref name="Value"/>.</param>
/// <param name="ExpectedCloseDate">The new expected close date, <c>yyyy-MM-dd</c>; omitted to leave it.</param>
/// <param name="ClearExpectedCloseDate">Whether to remove the expected close date; not with <paramref name="ExpectedCloseDate"/>.</param>
/// <param name="Attributes">Attributes to set, a <see langword="null"/> value removing the attribute, such as <c>{"region": "south", "campaign": null}</c>.</param>
/// <param name="OccurredAt">When the details changed, ISO 8601 with an offset; omitted for now.</param>
/// <param name="Note">A short note, optional.</param>
public sealed record UpdateClientRequest(decimal? Value = null, bool ClearValue = false, DateOnly? ExpectedCloseDate = null, bool ClearExpectedCloseDate = false, IReadOnlyDictionary<string, string?>? Attributes = null, DateTimeOffset? OccurredAt = null, string? Note = null);

/// <summary>
/// The answer of <c>GET .../clients/{clientId}</c>: the client's current details and state. In JSON
/// <c>{"client": {...}, "state": {...}}</c>, each as <see cref="Serialization.FunnelMetricsJsonContext"/> writes it.
/// </summary>
/// <param name="Client">The client with every update applied: owner at creation, value, expected close date, attributes.</param>
/// <param name="State">Its state after its last event: status, stage, current owner, version.</param>
[System.Text.Json.Serialization.JsonConverter(typeof(ClientViewJsonConverter))]
public sealed record ClientView(Client Client, ClientState State);
