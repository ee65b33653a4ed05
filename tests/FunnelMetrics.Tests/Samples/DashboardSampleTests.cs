using System.Text.Json;
using FunnelMetrics.Import;
using FunnelMetrics.Samples.Dashboard;
using FunnelMetrics.Tests.Docs;
using Spectre.Console.Testing;

namespace FunnelMetrics.Tests.Samples;

public sealed class DashboardSampleTests
{
    private static readonly string Data = Path.Combine(DocsJsonExamplesTests.RepositoryRoot(), "samples", "FunnelMetrics.Samples.Dashboard", "data");

    private static DashboardRun Run(string? input = null, string? pipeline = null, string? stages = null, string? asOf = null, string? owner = null, string timeZone = "UTC", bool json = true) =>
        new(input, pipeline, stages, null, asOf, owner, timeZone, null, json, 50);

    private static async Task<(int Exit, string Output, string Errors)> ExecuteAsync(DashboardRun run)
    {
        using var output = new MemoryStream();
        using var errors = new StringWriter();
        int exit;
        try
        {
            exit = await run.ExecuteAsync(output, errors, CancellationToken.None);
        }
        catch (SetupException ex)
        {
            exit = 2;
            await errors.WriteAsync(ex.Message);
        }

        return (exit, System.Text.Encoding.UTF8.GetString(output.ToArray()), errors.ToString());
    }

    [Fact]
    public async Task TheDemo_AsJson_IsTheWholeDashboard_ForItsLastDay_AndTheSameEveryRun()
    {
        var (exit, output, errors) = await ExecuteAsync(Run());
        var (_, again, _) = await ExecuteAsync(Run());

        Assert.Equal((0, ""), (exit, errors));
        Assert.Equal(output, again);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("2026-10-16", root.GetProperty("day").GetString());
        var funnel = root.GetProperty("funnel");
        var stages = funnel.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(7, stages.Count);
        Assert.Equal(funnel.GetProperty("inWork").GetInt32(), stages.SkipLast(1).Sum(s => s.GetProperty("clients").GetInt32()));
        Assert.Equal(5, funnel.GetProperty("byOwner").GetArrayLength());
        Assert.Equal(6, root.GetProperty("today").GetArrayLength());
        Assert.Equal(20, root.GetProperty("today")[0].GetProperty("averagePerWorkingDay").GetProperty("days").GetInt32());
        foreach (var section in new[] { "flow", "timeInStage", "conversion", "velocity", "stuckStages", "stalledClients" })
        {
            Assert.True(root.TryGetProperty(section, out _), section);
        }

        Assert.True(root.GetProperty("forecast").GetProperty("hasBasis").GetBoolean());
        Assert.True(root.GetProperty("stalledClients").GetProperty("clients").GetArrayLength() > 0);
    }

    [Fact]
    public async Task TheDemo_ForOneManager_CountsOnlyTheirClients()
    {
        var (_, all, _) = await ExecuteAsync(Run());
        var (exit, one, _) = await ExecuteAsync(Run(owner: "chen"));

        Assert.Equal(0, exit);
        using var team = JsonDocument.Parse(all);
        using var chen = JsonDocument.Parse(one);
        var chenInTeam = team.RootElement.GetProperty("funnel").GetProperty("byOwner").EnumerateArray().Single(o => o.GetProperty("owner").GetString() == "chen");
        Assert.Equal(chenInTeam.GetProperty("inWork").GetInt32(), chen.RootElement.GetProperty("funnel").GetProperty("inWork").GetInt32());
        Assert.Equal("chen", chen.RootElement.GetProperty("owner").GetString());
    }

    [Fact]
    public async Task ACrmExport_WithAPipelineFile_IsImportedAndRead()
    {
        var (exit, output, errors) = await ExecuteAsync(Run(Path.Combine(Data, "crm-export.csv"), Path.Combine(Data, "pipeline.json"), timeZone: "Europe/Berlin"));

        Assert.Equal((0, ""), (exit, errors));
        using var json = JsonDocument.Parse(output);
        var funnel = json.RootElement.GetProperty("funnel");
        Assert.Equal("2026-10-06", json.RootElement.GetProperty("day").GetString());
        Assert.Equal((3, 1, 1), (funnel.GetProperty("inWork").GetInt32(), funnel.GetProperty("won").GetInt32(), funnel.GetProperty("lost").GetInt32()));
    }

    [Fact]
    public async Task ACrmExport_WithBadRows_ListsEveryProblemByLineAndColumn_AndImportsNothing()
    {
        var file = Path.Combine(Data, "crm-export-bad.csv");

        var (exit, output, errors) = await ExecuteAsync(Run(file));

        Assert.Equal((1, ""), (exit, output));
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            [
                $"{file}, line 3, column occurred_at",
                $"{file}, line 5, column stage",
                $"{file}, line 6, column stage",
                $"{file}, line 7, column value",
                $"{file}, line 12, column stage",
            ],
            lines.SkipLast(1).Select(l => l[..l.IndexOf(": ", l.IndexOf("column", StringComparison.Ordinal), StringComparison.Ordinal)]));
        Assert.Contains("negotiation", lines[1], StringComparison.Ordinal);
        Assert.Contains("won stage", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("error: 5 problem(s)", lines[^1], StringComparison.Ordinal);
        Assert.Contains("nothing was imported", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACrmExport_ImportedIntoADatabase_PersistsBetweenRuns_AndImportingItAgainChangesNothing()
    {
        var database = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.db");
        try
        {
            var input = Path.Combine(Data, "crm-export.csv");
            var pipeline = Path.Combine(Data, "pipeline.json");
            var (importExit, imported, _) = await ExecuteAsync(Run(input, pipeline) with { Database = database });
            var (againExit, again, _) = await ExecuteAsync(Run(input, pipeline) with { Database = database });
            var (storedExit, stored, errors) = await ExecuteAsync(Run() with { Database = database });

            Assert.Equal((0, 0, 0, ""), (importExit, againExit, storedExit, errors));
            Assert.Equal(imported, again);
            Assert.Equal(imported, stored);
            using var json = JsonDocument.Parse(stored);
            Assert.Equal(5, json.RootElement.GetProperty("funnel").GetProperty("entered").GetInt32());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(database)!, Path.GetFileName(database) + "*"))
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task AFile_WithoutARequiredColumn_IsRefusedNamingIt()
    {
        var file = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "client_id,stage,when,owner\nacme,interest,2026-09-01T09:00:00Z,anna\n");
        try
        {
            var (exit, _, errors) = await ExecuteAsync(Run(file));

            Assert.Equal(2, exit);
            Assert.Contains("line 1", errors, StringComparison.Ordinal);
            Assert.Contains("occurred_at", errors, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("pipeline+stages")]
    [InlineData("zone")]
    [InlineData("as-of")]
    [InlineData("owner")]
    public async Task BadUsage_ExitsWith2(string what)
    {
        var run = what switch
        {
            "pipeline+stages" => Run(pipeline: Path.Combine(Data, "pipeline.json"), stages: "a,b"),
            "zone" => Run(timeZone: "Mars/Olympus"),
            "as-of" => Run(asOf: "yesterday"),
            _ => Run(owner: "nobody"),
        };

        var (exit, output, errors) = await ExecuteAsync(run);

        Assert.Equal((2, ""), (exit, output));
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void TheCsvReader_MapsStagesByKeyOrName_LostOutcomes_Activities_AndFurtherColumnsToAttributes()
    {
        var setup = new PipelineSetup(PipelineSetup.FromFile(Path.Combine(Data, "pipeline.json")).Pipeline, ["lost", "rejected"]);
        var file = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, "owner,occurred_at,stage,client_id,region,lost_reason\nanna,2026-09-01T09:00:00+02:00,Reached the decision maker,\"acme, inc\",north,\nanna,2026-09-02T09:00:00Z,ACTIVITY,\"acme, inc\",,\n,2026-09-03T09:00:00Z,rejected,\"acme, inc\",,\n");
        try
        {
            var problems = new List<CsvProblem>();

            var records = CsvHistory.Read(file, setup, problems);

            Assert.Empty(problems);
            Assert.Equal([ImportAction.ReachedStage, ImportAction.Activity, ImportAction.Lost], records.Select(r => r.Action));
            Assert.All(records, r => Assert.Equal(new ClientId("acme, inc"), r.ClientId));
            Assert.Equal(new StageId("decision-maker"), records[0].Stage);
            Assert.Equal("north", records[0].Attributes!["region"]);
            Assert.Null(records[1].Attributes);
            Assert.Equal(("rejected", default(OwnerId), 4L), (records[2].LostReason, records[2].Owner, records[2].Position));
            Assert.Equal(TimeSpan.FromHours(2), records[0].OccurredAt.Offset);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void StagesAndLost_FromTheCommandLine_MakeThePipeline()
    {
        var setup = PipelineSetup.FromNames("lead, qualified ,proposal,won", "lost,no-deal");

        Assert.Equal(["lead", "qualified", "proposal", "won"], setup.Pipeline.Stages.Select(s => s.Key.Value));
        Assert.Equal(new StageId("won"), setup.Pipeline.WonStage);
        Assert.True(setup.IsLost("No-Deal"));
        Assert.Throws<SetupException>(() => PipelineSetup.FromNames("only-one", null));
    }

    [Fact]
    public void EndOfMonth_InAZoneWhoseMidnightIsSkipped_IsTheFirstValidInstant()
    {
        // Santiago moved its clocks from 00:00 to 01:00 on 2026-09-06: that day starts at 01:00 local time.
        var end = DashboardReport.EndOfDay(new DateOnly(2026, 9, 5), "America/Santiago");

        Assert.Equal(new DateTimeOffset(2026, 9, 6, 1, 0, 0, TimeSpan.FromHours(-3)), end);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(-3)), DashboardReport.EndOfMonth(new DateOnly(2026, 10, 16), "America/Santiago"));
    }

    [Theory]
    [InlineData("2026-09-30", "UTC")]
    [InlineData("2026-08-31", "Europe/Berlin")]
    public async Task TheDemo_OnAMonthsLastDay_ClosesTheMonth_AndForecastsTheNext(string day, string zone)
    {
        var (exit, output, errors) = await ExecuteAsync(Run(asOf: day, timeZone: zone));

        Assert.Equal((0, ""), (exit, errors));
        using var json = JsonDocument.Parse(output);
        var month = json.RootElement.GetProperty("month");
        var next = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture).AddDays(1);
        Assert.True(month.GetProperty("closed").GetBoolean());
        Assert.Equal(day[..7], month.GetProperty("month").GetString());
        Assert.Equal($"{next:yyyy-MM}", month.GetProperty("forecastMonth").GetString());
        var horizon = json.RootElement.GetProperty("forecast").GetProperty("horizon");
        Assert.Equal(DashboardReport.EndOfMonth(next, zone), horizon.GetProperty("end").GetDateTimeOffset());
    }

    [Fact]
    public async Task TheDemo_OnTheDayBeforeAMonthsLastDay_ForecastsToThatMonthsEnd()
    {
        var (exit, output, _) = await ExecuteAsync(Run(asOf: "2026-09-29"));

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("month").GetProperty("closed").GetBoolean());
        Assert.Equal(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), json.RootElement.GetProperty("forecast").GetProperty("horizon").GetProperty("end").GetDateTimeOffset());
    }

    [Fact]
    public async Task AnExport_WhoseLastEventIsOnAMonthsLastDay_IsShownByDefault_WithTheMonthClosed()
    {
        var file = TempFile("client_id,stage,occurred_at,owner\nacme,decision-maker,2026-09-01T09:00:00Z,anna\nacme,interest,2026-09-30T16:00:00Z,anna\n");
        try
        {
            var (exit, output, errors) = await ExecuteAsync(Run(file));

            Assert.Equal((0, ""), (exit, errors));
            using var json = JsonDocument.Parse(output);
            Assert.Equal("2026-09-30", json.RootElement.GetProperty("day").GetString());
            Assert.True(json.RootElement.GetProperty("month").GetProperty("closed").GetBoolean());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task TheDemo_AsTables_OnAMonthsLastDay_SaysTheMonthIsClosed()
    {
        var console = new TestConsole().Width(200);
        var (exit, _, _) = await ExecuteAsync(Run(asOf: "2026-09-30", json: false) with { Terminal = console });

        Assert.Equal(0, exit);
        Assert.Contains("September 2026 is closed", console.Output, StringComparison.Ordinal);
        Assert.Contains("Expected wins by the end of October 2026", console.Output, StringComparison.Ordinal);
    }

    private static string TempFile(string text)
    {
        var file = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, text);
        return file;
    }
}
