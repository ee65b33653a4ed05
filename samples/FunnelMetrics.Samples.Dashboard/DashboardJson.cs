using System.Text.Json;
using System.Text.Json.Nodes;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;

namespace FunnelMetrics.Samples.Dashboard;

/// <summary>
/// Writes the dashboard as one JSON document for front ends. Every library figure is written through the library's
/// public source-generated <see cref="FunnelMetricsJsonContext"/>, so its shape is the documented JSON contract
/// (docs/integration.md); only the envelope and the averages are the sample's own.
/// </summary>
internal static class DashboardJson
{
    /// <summary>Writes the document.</summary>
    /// <param name="stream">Where to write (UTF-8).</param>
    /// <param name="report">The dashboard.</param>
    public static void Write(Stream stream, DashboardReport report)
    {
        var context = FunnelMetricsJsonContext.Default;
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var settings = report.Settings;
        writer.WriteStartObject();
        writer.WritePropertyName("pipeline");
        JsonSerializer.Serialize(writer, report.Pipeline, context.PipelineDefinition);
        writer.WriteString("asOf", settings.AsOf);
        writer.WriteString("day", settings.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteString("timeZone", settings.TimeZone);
        WriteOwner(writer, settings.Owner);

        writer.WritePropertyName("funnel");
        JsonSerializer.Serialize(writer, report.Funnel, context.StageCounts);

        writer.WriteStartArray("today");
        foreach (var day in report.Today)
        {
            writer.WriteStartObject();
            WriteOwner(writer, day.Owner);

            writer.WritePropertyName("today");
            JsonSerializer.Serialize(writer, day.Today, context.FlowTotals);
            writer.WriteStartObject("averagePerWorkingDay");
            writer.WriteNumber("days", day.Average.Days);
            writer.WriteNumber("new", day.Average.New);
            writer.WriteNumber("forwardMoves", day.Average.ForwardMoves);
            writer.WriteNumber("regressions", day.Average.Regressions);
            writer.WriteNumber("wins", day.Average.Wins);
            writer.WriteNumber("losses", day.Average.Losses);
            writer.WriteEndObject();
            writer.WriteStartArray("enteredByStage");
            for (var s = 0; s < day.EnteredToday.Count; s++)
            {
                writer.WriteStartObject();
                writer.WriteString("stage", report.Pipeline.Stages[s].Key.Value);
                writer.WriteNumber("today", day.EnteredToday[s]);
                writer.WriteNumber("averagePerWorkingDay", day.EnteredAverage[s]);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WritePropertyName("flow");
        WriteWithoutEmptyRows(writer, report.Flow, context);
        writer.WritePropertyName("timeInStage");
        JsonSerializer.Serialize(writer, report.Speed, context.TimeInStage);
        writer.WritePropertyName("conversion");
        JsonSerializer.Serialize(writer, report.Conversion, context.Conversion);
        writer.WritePropertyName("velocity");
        JsonSerializer.Serialize(writer, report.Velocity, context.Velocity);
        writer.WritePropertyName("stuckStages");
        JsonSerializer.Serialize(writer, report.Stuck, context.StuckStages);
        writer.WritePropertyName("stalledClients");
        JsonSerializer.Serialize(writer, report.Stalled, context.StalledClients);
        var month = report.Month;
        writer.WriteStartObject("month");
        writer.WriteString("month", month.Month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteBoolean("closed", month.Closed);
        writer.WriteNumber("targetWins", month.TargetWins);
        writer.WriteNumber("wonSoFar", month.WonSoFar);
        writer.WriteString("forecastMonth", month.ForecastMonth.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteEndObject();
        writer.WritePropertyName("forecast");
        JsonSerializer.Serialize(writer, report.Forecast, context.Forecast);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The ledger without the rows of stages where nothing happened and no client is, per day and manager: a pipeline
    /// of thousands of stages would otherwise write days x managers x stages rows of zeros. The ledger itself is
    /// read-only, so its JSON is written through the context and the empty rows dropped from that.
    /// </summary>
    private static void WriteWithoutEmptyRows(Utf8JsonWriter writer, FlowLedger flow, FunnelMetricsJsonContext context)
    {
        static void DropEmpty(JsonNode? rows)
        {
            if (rows is JsonArray array)
            {
                for (var i = array.Count - 1; i >= 0; i--)
                {
                    // Every figure of a row is a count; the row is empty when all of them are 0.
                    if (array[i]!.AsObject().All(p => p.Key == "stage" || p.Value!.GetValue<int>() == 0))
                    {
                        array.RemoveAt(i);
                    }
                }
            }
        }

        var ledger = JsonSerializer.SerializeToNode(flow, context.FlowLedger)!;
        foreach (var day in ledger["days"]!.AsArray())
        {
            DropEmpty(day!["stages"]);
            foreach (var owner in day["byOwner"]!.AsArray())
            {
                DropEmpty(owner!["stages"]);
            }
        }

        ledger.WriteTo(writer);
    }

    /// <summary>The manager's id, or null for the whole team.</summary>
    private static void WriteOwner(Utf8JsonWriter writer, OwnerId? owner)
    {
        if (owner is { } o)
        {
            writer.WriteString("owner", o.Value);
        }
        else
        {
            writer.WriteNull("owner");
        }
    }
}
