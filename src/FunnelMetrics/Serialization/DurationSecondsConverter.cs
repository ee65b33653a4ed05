using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Serialization;

/// <summary>
/// The JSON contract's durations: a number of seconds, exact to the tick (up to seven decimals), negative for a
/// negative change; read from any JSON number in range, and from the <c>d.hh:mm:ss</c> strings of documents written
/// by 0.4 and earlier. One converter for every <see cref="TimeSpan"/> of the contract.
/// </summary>
internal sealed class DurationSecondsConverter : JsonConverter<TimeSpan>
{
    private const decimal TicksPerSecond = TimeSpan.TicksPerSecond;

    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            // Documents written by 0.4 and earlier hold "d.hh:mm:ss" strings: still read, never written.
            return TimeSpan.TryParseExact(reader.GetString(), "c", CultureInfo.InvariantCulture, out var legacy)
                ? legacy
                : throw new JsonException("A duration is a number of seconds, such as 86400 for one day or 0.5 for half a second.");
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var seconds))
        {
            throw new JsonException("A duration is a number of seconds, such as 86400 for one day or 0.5 for half a second.");
        }

        var ticks = seconds * TicksPerSecond;
        if (ticks < TimeSpan.MinValue.Ticks || ticks > TimeSpan.MaxValue.Ticks || ticks != decimal.Truncate(ticks))
        {
            throw new JsonException($"The duration of {seconds} seconds is out of range or finer than a tick (100 ns, seven decimals).");
        }

        return TimeSpan.FromTicks((long)ticks);
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value.Ticks / TicksPerSecond);
    }
}
