using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>Writes an identifier as a plain JSON string, also when it is a dictionary key.</summary>
internal abstract class IdentifierJsonConverter<T> : JsonConverter<T>
    where T : struct
{
    protected abstract T Create(string value);

    protected abstract string? GetValue(T id);

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"A {typeof(T).Name} is a JSON string; found {reader.TokenType}.");
        }

        return CreateChecked(reader.GetString());
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(GetValue(value) ?? throw new JsonException($"The unset default({typeof(T).Name}) cannot be written to JSON."));

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        CreateChecked(reader.GetString());

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WritePropertyName(GetValue(value) ?? throw new JsonException($"The unset default({typeof(T).Name}) cannot be a JSON property name."));

    private T CreateChecked(string? value)
    {
        try
        {
            return Create(value!);
        }
        catch (ArgumentException ex)
        {
            throw new JsonException(ex.Message, ex);
        }
    }
}

internal sealed class PipelineIdJsonConverter : IdentifierJsonConverter<PipelineId>
{
    protected override PipelineId Create(string value) => new(value);

    protected override string? GetValue(PipelineId id) => id.Value;
}

internal sealed class StageIdJsonConverter : IdentifierJsonConverter<StageId>
{
    protected override StageId Create(string value) => new(value);

    protected override string? GetValue(StageId id) => id.Value;
}

internal sealed class ClientIdJsonConverter : IdentifierJsonConverter<ClientId>
{
    protected override ClientId Create(string value) => new(value);

    protected override string? GetValue(ClientId id) => id.Value;
}

internal sealed class OwnerIdJsonConverter : IdentifierJsonConverter<OwnerId>
{
    protected override OwnerId Create(string value) => new(value);

    protected override string? GetValue(OwnerId id) => id.Value;
}

internal sealed class ClientEventIdJsonConverter : IdentifierJsonConverter<ClientEventId>
{
    protected override ClientEventId Create(string value) => new(value);

    protected override string? GetValue(ClientEventId id) => id.Value;
}
