using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FunnelMetrics.AspNetCore;

/// <summary>
/// Describes in the OpenAPI document what its generator cannot see through custom converters: the identifiers are
/// strings, durations numbers of seconds, and a <see cref="ClientView"/> an object of a client and its state.
/// </summary>
internal static class FunnelOpenApi
{
    private static readonly Dictionary<Type, string> Identifiers = new()
    {
        [typeof(PipelineId)] = "A pipeline's id: 1 to 200 characters, no control or bidirectional formatting characters, no leading or trailing white space.",
        [typeof(StageId)] = "A stage's id: 1 to 200 characters, no control or bidirectional formatting characters, no leading or trailing white space.",
        [typeof(ClientId)] = "A client's id, the CRM's own key: 1 to 200 characters, no control or bidirectional formatting characters, no leading or trailing white space.",
        [typeof(OwnerId)] = "An owner's (sales manager's) id: 1 to 200 characters, no control or bidirectional formatting characters, no leading or trailing white space.",
        [typeof(ClientEventId)] = "An event's id, its idempotency key: 1 to 200 characters, no control or bidirectional formatting characters, no leading or trailing white space.",
    };

    public static void Configure(OpenApiOptions options) => options.AddSchemaTransformer(TransformAsync);

    private static async Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (Identifiers.TryGetValue(type, out var description))
        {
            // One component per identifier type, referenced by nullable and non-nullable properties alike.
            schema.Type = JsonSchemaType.String;
            schema.MinLength = 1;
            schema.MaxLength = 200;
            schema.Description ??= description;
        }
        else if (type == typeof(TimeSpan))
        {
            // Durations are numbers of seconds in the JSON contract (FunnelMetricsJson), written by a converter the generator cannot see through.
            schema.Type = type == context.JsonTypeInfo.Type ? JsonSchemaType.Number : JsonSchemaType.Number | JsonSchemaType.Null;
            schema.Format = "double";
            schema.Description ??= "A duration in seconds.";
        }
        else if (type == typeof(ClientView))
        {
            schema.Type = JsonSchemaType.Object;
            schema.Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["client"] = await context.GetOrCreateSchemaAsync(typeof(Client), cancellationToken: cancellationToken).ConfigureAwait(false),
                ["state"] = await context.GetOrCreateSchemaAsync(typeof(ClientState), cancellationToken: cancellationToken).ConfigureAwait(false),
            };
            schema.Required = new HashSet<string> { "client", "state" };
        }
    }
}
