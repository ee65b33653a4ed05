using System.Text.Json;
using System.Text.Json.Serialization;
using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;

namespace FunnelMetrics.Serialization;

/// <summary>
/// The source-generated JSON contract of every public model and metric result type, for front ends and services: web defaults
/// (camelCase names, case-insensitive reading), enums as strings, identifiers as plain strings, instants in ISO 8601,
/// durations as numbers of seconds (exact to the tick). Reading goes through the validating constructors, so a document that breaks a model
/// rule (a missing identifier or instant included) is refused; the event <c>type</c> discriminator may stand anywhere
/// in the object. Trimming- and AOT-safe.
/// </summary>
/// <example>
/// <code>
/// string json = JsonSerializer.Serialize(transition, FunnelMetricsJsonContext.Default.ClientEvent);
/// ClientEvent? back = JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.ClientEvent);
/// </code>
/// </example>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowOutOfOrderMetadataProperties = true, Converters = [typeof(DurationSecondsConverter)])]
[JsonSerializable(typeof(PipelineId))]
[JsonSerializable(typeof(StageId))]
[JsonSerializable(typeof(ClientId))]
[JsonSerializable(typeof(OwnerId))]
[JsonSerializable(typeof(ClientEventId))]
[JsonSerializable(typeof(StageDefinition))]
[JsonSerializable(typeof(PipelineDefinition))]
[JsonSerializable(typeof(Client))]
[JsonSerializable(typeof(ClientEvent))]
[JsonSerializable(typeof(StageTransition))]
[JsonSerializable(typeof(ClientActivity))]
[JsonSerializable(typeof(OwnerReassignment))]
[JsonSerializable(typeof(ClientUpdate))]
[JsonSerializable(typeof(ClientState))]
[JsonSerializable(typeof(TransitionKind))]
[JsonSerializable(typeof(ClientStatus))]
[JsonSerializable(typeof(EventCursor))]
[JsonSerializable(typeof(IReadOnlyList<PipelineDefinition>))]
[JsonSerializable(typeof(IReadOnlyList<Client>))]
[JsonSerializable(typeof(IReadOnlyList<ClientEvent>))]
[JsonSerializable(typeof(FunnelFilter))]
[JsonSerializable(typeof(StageCounts))]
[JsonSerializable(typeof(PipelineValue))]
[JsonSerializable(typeof(FlowLedger))]
[JsonSerializable(typeof(TimeInStage))]
[JsonSerializable(typeof(Conversion))]
[JsonSerializable(typeof(Velocity))]
[JsonSerializable(typeof(StalledClients))]
[JsonSerializable(typeof(StuckStages))]
[JsonSerializable(typeof(PipelineWaterfall))]
[JsonSerializable(typeof(SlippedClients))]
[JsonSerializable(typeof(FunnelTrends))]
[JsonSerializable(typeof(WorkingCalendar))]
[JsonSerializable(typeof(FunnelMetrics.Forecasting.Forecast))]
[JsonSerializable(typeof(FunnelMetrics.Forecasting.Backtest))]
[JsonSerializable(typeof(IReadOnlyList<Breakdown<StageCounts>>))]
[JsonSerializable(typeof(IReadOnlyList<Breakdown<FlowLedger>>))]
[JsonSerializable(typeof(IReadOnlyList<Breakdown<TimeInStage>>))]
[JsonSerializable(typeof(IReadOnlyList<Breakdown<Conversion>>))]
[JsonSerializable(typeof(IReadOnlyList<Breakdown<Velocity>>))]
[JsonSerializable(typeof(FunnelMetrics.Analytics.FunnelDashboard))]
[JsonSerializable(typeof(FunnelMetrics.Analytics.DashboardRequest))]
[JsonSerializable(typeof(ClientList))]
[JsonSerializable(typeof(ClientListQuery))]
[JsonSerializable(typeof(ClientListMeasure))]
public sealed partial class FunnelMetricsJsonContext : JsonSerializerContext
{
}
