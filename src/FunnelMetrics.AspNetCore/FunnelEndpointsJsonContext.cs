using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunnelMetrics.AspNetCore;

/// <summary>
/// The source-generated JSON contract of the endpoints' own requests and answers (web defaults, enums as strings):
/// request bodies are read through it strictly (a required property missing, a <see langword="null"/> where none is
/// allowed or an invalid identifier is refused with 400), and the host's HTTP JSON options get it from
/// <c>AddFunnelMetricsEndpoints</c>, beside <see cref="Serialization.FunnelMetricsJsonContext"/>.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(AddClientRequest))]
[JsonSerializable(typeof(MoveRequest))]
[JsonSerializable(typeof(LoseRequest))]
[JsonSerializable(typeof(ReopenRequest))]
[JsonSerializable(typeof(ActivityRequest))]
[JsonSerializable(typeof(ReassignRequest))]
[JsonSerializable(typeof(UpdateClientRequest))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
public sealed partial class FunnelEndpointsJsonContext : JsonSerializerContext
{
}
