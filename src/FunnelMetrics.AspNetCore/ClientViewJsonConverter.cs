using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace FunnelMetrics.AspNetCore;

/// <summary>Writes a <see cref="ClientView"/> as <c>{"client": ..., "state": ...}</c>, each part through the options' own contract (the library's source-generated one).</summary>
internal sealed class ClientViewJsonConverter : JsonConverter<ClientView>
{
    public override ClientView Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Client? client = null;
        ClientState? state = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A client view is a JSON object with 'client' and 'state'.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            if (string.Equals(name, "client", StringComparison.OrdinalIgnoreCase))
            {
                client = JsonSerializer.Deserialize(ref reader, Info<Client>(options));
            }
            else if (string.Equals(name, "state", StringComparison.OrdinalIgnoreCase))
            {
                state = JsonSerializer.Deserialize(ref reader, Info<ClientState>(options));
            }
            else
            {
                reader.Skip();
            }
        }

        return new ClientView(client ?? throw new JsonException("A client view needs 'client'."), state ?? throw new JsonException("A client view needs 'state'."));
    }

    public override void Write(Utf8JsonWriter writer, ClientView value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(options.PropertyNamingPolicy?.ConvertName("Client") ?? "Client");
        JsonSerializer.Serialize(writer, value.Client, Info<Client>(options));
        writer.WritePropertyName(options.PropertyNamingPolicy?.ConvertName("State") ?? "State");
        JsonSerializer.Serialize(writer, value.State, Info<ClientState>(options));
        writer.WriteEndObject();
    }

    private static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
