using System.Text.Json;
using FunnelMetrics.Import;
using Spectre.Console.Testing;

namespace FunnelMetrics.Samples.Dashboard.Tests;

public sealed class DashboardSampleTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FunnelMetrics.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("FunnelMetrics.sln not found above " + AppContext.BaseDirectory);
    }

    private static readonly string Data = Path.Combine(RepositoryRoot(), "samples", "FunnelMetrics.Samples.Dashboard", "data");

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
        foreach (var section in new[] { "todayWindow", "speedWindow", "timeInStage", "conversion", "velocity", "stuckStages", "stalled", "month" })
        {
            Assert.True(root.TryGetProperty(section, out _), section);
        }

        Assert.True(root.GetProperty("forecast").GetProperty("hasBasis").GetBoolean());
        var stalled = root.GetProperty("stalled");
        Assert.True(stalled.GetProperty("total").GetInt32() > 0);
        Assert.Equal(Math.Min(10, stalled.GetProperty("total").GetInt32()), stalled.GetProperty("mostOverdue").GetArrayLength());
        // Durations are numbers of seconds in the JSON contract.
        Assert.Equal(JsonValueKind.Number, stalled.GetProperty("mostOverdue")[0].GetProperty("idle").ValueKind);
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
        Assert.Equal(["chen"], chen.RootElement.GetProperty("filter").GetProperty("owners").EnumerateArray().Select(o => o.GetString()));
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
    [InlineData("as-of-far")]
    [InlineData("as-of-first-day")]
    [InlineData("target")]
    public async Task BadUsage_ExitsWith2(string what)
    {
        var run = what switch
        {
            "pipeline+stages" => Run(pipeline: Path.Combine(Data, "pipeline.json"), stages: "a,b"),
            "zone" => Run(timeZone: "Mars/Olympus"),
            "as-of" => Run(asOf: "yesterday"),
            "as-of-far" => Run(asOf: "9999-12-31"),
            "as-of-first-day" => Run(asOf: "0001-01-01T00:00:00Z"),
            "target" => Run() with { Target = -3 },
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

    [Theory]
    // 2025-11-02 in Havana and 2026-10-25 in the Azores start with a midnight that happens twice (clocks go back from
    // 01:00 to 00:00): the day before ends at the first of them, as the flow ledger's day does, not an hour later.
    [InlineData("America/Havana", "2025-11-01", "2025-11-02T00:00:00-04:00", "2025-11-02T00:30:00-04:00")]
    [InlineData("Atlantic/Azores", "2026-10-24", "2026-10-25T00:00:00+00:00", "2026-10-25T00:30:00+00:00")]
    // The day of the repeated midnight itself, 25 hours long, and a day whose midnight is skipped.
    [InlineData("America/Havana", "2025-11-02", "2025-11-03T00:00:00-05:00", "2025-11-03T00:30:00-05:00")]
    [InlineData("Atlantic/Azores", "2026-03-28", "2026-03-29T01:00:00+00:00", "2026-03-29T01:30:00+00:00")]
    public async Task TheDashboardsDay_EndsWhereTheLedgersDayEnds_OnDaysAroundARepeatedOrSkippedMidnight(string zone, string day, string end, string nextDay)
    {
        // acme enters on the day and moves on half an hour into the next day (in the first of two midnight hours);
        // beta enters half an hour before the day ends.
        var endsAt = DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture);
        var file = TempFile(Header
            + $"acme,decision-maker,{endsAt.AddHours(-14):O},anna,,\n"
            + $"beta,decision-maker,{endsAt.AddMinutes(-30):O},anna,,\n"
            + $"acme,interest,{nextDay},anna,,\n");
        try
        {
            var (exit, output, errors) = await ExecuteAsync(Run(file, asOf: day, timeZone: zone));

            Assert.Equal((0, ""), (exit, errors));
            using var json = JsonDocument.Parse(output);
            var root = json.RootElement;
            var lastDay = root.GetProperty("today")[0];
            Assert.Equal(day, root.GetProperty("day").GetString());
            Assert.Equal(endsAt, root.GetProperty("asOf").GetDateTimeOffset());
            Assert.Equal(endsAt, root.GetProperty("todayWindow").GetProperty("end").GetDateTimeOffset());
            Assert.Equal(endsAt, TimeZoneDays.Day(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(zone)).End);

            // So the funnel read at the dashboard's instant and the ledger's count at the end of the day agree: acme's
            // move into the next day is in neither.
            string[] stages = ["decision-maker", "interest"];
            var funnel = root.GetProperty("funnel").GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("stage").GetString()!, s => s.GetProperty("clients").GetInt32());
            var ledger = lastDay.GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("stage").GetString()!, s => s.GetProperty("countAtEnd").GetInt32());
            Assert.Equal([2, 0], stages.Select(s => funnel[s]));
            Assert.Equal([2, 0], stages.Select(s => ledger[s]));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void EndOfMonth_InAZoneWhoseMidnightIsSkipped_IsTheFirstValidInstant()
    {
        // Santiago moved its clocks from 00:00 to 01:00 on 2026-09-06: that day starts at 01:00 local time.
        var end = TimeZoneDays.Day(new DateOnly(2026, 9, 5), TimeZoneInfo.FindSystemTimeZoneById("America/Santiago")).End;

        Assert.Equal(new DateTimeOffset(2026, 9, 6, 1, 0, 0, TimeSpan.FromHours(-3)), end);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(-3)), TimeZoneDays.StartOfDay(new DateOnly(2026, 11, 1), TimeZoneInfo.FindSystemTimeZoneById("America/Santiago")));
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
        Assert.Equal($"{day[..7]}-01", month.GetProperty("month").GetString());
        Assert.Equal($"{next:yyyy-MM}-01", month.GetProperty("forecastMonth").GetString());
        var horizon = json.RootElement.GetProperty("forecast").GetProperty("horizon");
        Assert.Equal(TimeZoneDays.StartOfDay(new DateOnly(next.Year, next.Month, 1).AddMonths(1), TimeZoneInfo.FindSystemTimeZoneById(zone)), horizon.GetProperty("end").GetDateTimeOffset());
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

    private const string Header = "client_id,stage,occurred_at,owner,value,note\n";

    private static async Task<(int Exit, string Output, string Errors)> ImportTextAsync(string text, string? stages = null, string? lost = null, string? database = null)
    {
        var file = TempFile(text);
        try
        {
            var run = new DashboardRun(file, null, stages, lost, null, null, "UTC", null, true, 50) { Database = database };
            var (exit, output, errors) = await ExecuteAsync(run);
            return (exit, output, errors.Replace(file, "FILE", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("acme,decision-maker,2026-09-01T09:00:00Z,anna\n", "FILE, line 3: the row has 4 field(s); the header has 6")]
    [InlineData("acme,decision-maker,2026-09-01T09:00:00Z,anna,1,note,extra\n", "FILE, line 3: the row has 7 field(s); the header has 6")]
    [InlineData("acme,decision-maker,2026-09-01T09:00:00Z,anna,1,\"open quote\nbeta,interest,2026-09-02T09:00:00Z,anna,,\n", "FILE, line 3: a quote opened on this line is never closed")]
    public async Task RowsTheReaderCannotRead_AreListedByLine_WithExitCode1_AndNothingImported(string rows, string expected)
    {
        var (exit, output, errors) = await ImportTextAsync(Header + "good,decision-maker,2026-09-01T08:00:00Z,anna,,\n" + rows);

        Assert.Equal((1, ""), (exit, output));
        Assert.Contains(expected, errors, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpectedCloseDate_IsReadAsADate_AndAChangedOne_InAReimport_IsAnUpdateOnStandardError()
    {
        var database = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.db");
        const string header = "client_id,stage,occurred_at,owner,value,expected_close_date\n";
        try
        {
            var (first, _, firstErrors) = await ImportTextAsync(header + "acme,decision-maker,2026-09-01T09:00:00Z,anna,100,2026-11-30\n", database: database);
            var (again, _, againErrors) = await ImportTextAsync(header + "acme,decision-maker,2026-09-01T09:00:00Z,anna,100,2026-12-15\n", database: database);
            var (bad, _, badErrors) = await ImportTextAsync(header + "acme,decision-maker,2026-09-01T09:00:00Z,anna,100,30/11/2026\n", database: database);

            Assert.Equal((0, ""), (first, firstErrors));
            Assert.Equal(0, again);
            Assert.StartsWith("update: FILE, line 2, column expected_close_date: ", againErrors, StringComparison.Ordinal);
            Assert.Contains("2026-11-30", againErrors, StringComparison.Ordinal);
            Assert.Contains("2026-12-15", againErrors, StringComparison.Ordinal);
            Assert.Equal(1, bad);
            Assert.StartsWith("FILE, line 2, column expected_close_date: '30/11/2026' is not a date written yyyy-MM-dd", badErrors, StringComparison.Ordinal);
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
    public async Task AHeader_ThatNamesAColumnTwice_IsAProblemOfLine1_WithExitCode1()
    {
        var (exit, _, errors) = await ImportTextAsync("client_id,stage,occurred_at,owner,region,region\nacme,interest,2026-09-01T09:00:00Z,anna,n,s\n");

        Assert.Equal(1, exit);
        Assert.StartsWith("FILE, line 1: the header is not usable", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHeader_OverTheReadersSizeLimit_IsAProblemOfLine1()
    {
        var (exit, _, errors) = await ImportTextAsync("client_id,\"stage" + new string('x', 17_000_000) + "\n");

        Assert.Equal(1, exit);
        Assert.StartsWith("FILE, line 1: the header cannot be read", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Won,won")]
    [InlineData("lead,LEAD,won")]
    public void StagesThatAnswerToTheSameName_AreRefused(string stages)
    {
        var ex = Assert.Throws<SetupException>(() => PipelineSetup.FromNames(stages, null));
        Assert.Contains("both answer to the name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARow_OverTheReadersSizeLimit_IsListed_AndReadingStops()
    {
        var (exit, _, errors) = await ImportTextAsync(Header + "acme,interest,2026-09-01T09:00:00Z,anna,,\"" + new string('x', 17_000_000) + "\n");

        Assert.Equal(1, exit);
        Assert.Contains("FILE, line 2: a row from this line on cannot be read", errors, StringComparison.Ordinal);
        Assert.True(errors.Length < 2000, "the message does not repeat the row");
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("1,000")]
    [InlineData("1e3")]
    [InlineData("-5")]
    [InlineData("1000000000000000001")]
    public async Task AValue_WithGroupingSignExponentOrOutOfRange_IsRefusedNamingLineAndColumn(string value)
    {
        var (exit, _, errors) = await ImportTextAsync(Header + $"acme,decision-maker,2026-09-01T09:00:00Z,anna,\"{value}\",\n");

        Assert.Equal(1, exit);
        Assert.StartsWith("FILE, line 2, column value: ", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("01/02/2026 09:00 +01:00")]
    [InlineData("Mon, 02 Mar 2026 09:00:00 GMT")]
    [InlineData("2026-03-02 09:00:00Z")]
    [InlineData("2026-03-02T09:00:00")]
    [InlineData("March 2, 2026 09:00 +01:00")]
    [InlineData("2026-03-02T09:00:00+1:00")]
    [InlineData("2026-03-02T09:00:00+01")]
    public async Task AnInstant_ThatIsNotIso8601WithAnOffset_IsRefusedNamingLineAndColumn(string instant)
    {
        var (exit, _, errors) = await ImportTextAsync(Header + $"acme,decision-maker,\"{instant}\",anna,,\n");

        Assert.Equal(1, exit);
        Assert.StartsWith("FILE, line 2, column occurred_at: ", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-03-02T09:00:00+01:00")]
    [InlineData("2026-03-02T09:00:00.1234567+01:00")]
    [InlineData("2026-03-02T08:00Z")]
    [InlineData("2026-03-02T08:00:00z")]
    public void IsoInstants_WithAnOffset_AreRead(string text)
    {
        Assert.True(CsvHistory.TryParseInstant(text, out var at));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero), at.UtcDateTime.AddTicks(-(at.UtcTicks % TimeSpan.TicksPerSecond)));
    }

    [Fact]
    public async Task ALostOutcome_NamedLikeAStage_IsRefused_SoLostClientsCannotCountAsWon()
    {
        var (exit, _, errors) = await ImportTextAsync(Header + "acme,lead,2026-09-01T09:00:00Z,anna,,\n", stages: "lead,offer,lost", lost: "lost");

        Assert.Equal(2, exit);
        Assert.Contains("The lost outcome 'lost' is also the stage 'lost'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControlCharactersInTheFile_ReachNeitherTheTerminalNorTheErrorsRaw()
    {
        var console = new TestConsole().Width(250).EmitAnsiSequences();
        var file = TempFile(Header + "acme,decision-maker,2026-09-01T09:00:00Z,anna,,\"note \u001B[2J\"\nbeta,\"\u001B[31mnegotiation\",2026-09-01T09:00:00Z,anna,,\n");
        try
        {
            var (exit, _, errors) = await ExecuteAsync(new DashboardRun(file, null, null, null, null, null, "UTC", null, false, 50) { Terminal = console });

            Assert.Equal(1, exit);
            Assert.DoesNotContain('\u001B', errors);
            Assert.Contains("\\u001B[31mnegotiation", errors, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AStageNamedWithAnEscapeSequence_IsShownEscapedInTheTables()
    {
        var console = new TestConsole().Width(250);
        var pipeline = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(pipeline, """{"id":"sales","name":"Sales","stages":[{"key":"lead","displayName":"Lead \u001b[5m"},{"key":"won"}]}""");
        var file = TempFile("client_id,stage,occurred_at,owner\nacme,lead,2026-09-01T09:00:00Z,anna\n");
        try
        {
            var (exit, _, errors) = await ExecuteAsync(new DashboardRun(file, pipeline, null, null, null, null, "UTC", null, false, 50) { Terminal = console });

            Assert.Equal((0, ""), (exit, errors));
            Assert.DoesNotContain('\u001B', console.Output);
            Assert.Contains("Lead \\u001B[5m", console.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
            File.Delete(pipeline);
        }
    }

    [Fact]
    public async Task ATenThousandStagePipeline_KeepsProblemMessagesShort()
    {
        var stages = string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"s{i}"));
        var rows = string.Concat(Enumerable.Range(0, 20).Select(i => $"c{i},nowhere,2026-09-01T09:00:00Z,anna,,\n"));

        var (exit, _, errors) = await ImportTextAsync(Header + rows, stages: stages);

        Assert.Equal(1, exit);
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(21, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length < 400, l));
        Assert.Contains("s0, s1, s2", lines[0], StringComparison.Ordinal);
        Assert.Contains("(10,000 in all)", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATenThousandStagePipeline_HasADashboardProportionalToItsHistory()
    {
        var stages = string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"s{i}"));
        var rows = string.Concat(Enumerable.Range(0, 50).Select(i => $"c{i},s{i % 5},2026-09-01T09:00:00Z,anna,,\nc{i},s{i % 5 + 3},2026-09-02T09:00:00Z,,,\n"));

        var (exit, output, errors) = await ImportTextAsync(Header + rows, stages: stages);

        Assert.Equal((0, ""), (exit, errors));
        // Every section lists each stage at most a few times: no section may grow with stages x days, x weeks or x
        // managers. The flow ledger once wrote days x managers x stages rows of zeros (142 MB); the trends once wrote
        // every stage of every week (43 MB), the waterfall every stage per manager (41 MB). Indented, about 1 KB per
        // stage per section at most.
        using var json = System.Text.Json.JsonDocument.Parse(output);
        var sections = json.RootElement.EnumerateObject().Select(p => (p.Name, Length: p.Value.GetRawText().Length)).ToList();
        Assert.All(sections, section => Assert.True(section.Length < 10_000_000, $"{section.Name}: {section.Length:N0} characters of JSON"));
        Assert.True(output.Length < 60_000_000, $"{output.Length:N0} characters of JSON: {string.Join(", ", sections.Select(s => $"{s.Name} {s.Length:N0}"))}");
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("missing-folder")]
    [InlineData("not-sqlite")]
    [InlineData("other-database")]
    [InlineData("0.2-database")]
    public async Task ADatabasePath_ThatCannotHoldTheHistory_IsOneLine_WithExitCode2_AndTheFileIsLeftAsItIs(string what)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}")).FullName;
        try
        {
            var path = what switch
            {
                "folder" => folder,
                "missing-folder" => Path.Combine(folder, "nowhere", "funnel.db"),
                _ => Path.Combine(folder, "funnel.db"),
            };
            if (what == "not-sqlite")
            {
                await File.WriteAllTextAsync(path, "client_id,stage\n");
            }
            else if (what == "other-database")
            {
                await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "CREATE TABLE invoices (id INTEGER)";
                await command.ExecuteNonQueryAsync();
            }
            else if (what == "0.2-database")
            {
                // The tables of 0.2.0, without those 0.3 added: the run asks for the migration instead of failing in SQL.
                await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = string.Concat(new[] { "funnel_pipelines", "funnel_stages", "funnel_clients", "funnel_client_attributes", "funnel_events" }.Select(t => $"CREATE TABLE {t} (id INTEGER);"));
                await command.ExecuteNonQueryAsync();
            }

            var before = File.Exists(path) ? await File.ReadAllBytesAsync(path) : null;

            var (exit, output, errors) = await ExecuteAsync(Run() with { Database = path });

            Assert.Equal((2, ""), (exit, output));
            Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"--database {path}: ", errors, StringComparison.Ordinal);
            Assert.Equal(before, File.Exists(path) ? await File.ReadAllBytesAsync(path) : null);
            if (what == "0.2-database")
            {
                Assert.Contains("0.2.0 or earlier", errors, StringComparison.Ordinal);
                Assert.Contains("docs/storage.md", errors, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ADatabasePath_WithASemicolon_IsAPath_NotConnectionStringKeywords()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}")).FullName;
        try
        {
            var path = Path.Combine(folder, "x;Mode=Memory");

            var (exit, _, errors) = await ExecuteAsync(Run() with { Database = path });

            Assert.Equal((0, ""), (exit, errors));
            Assert.True(File.Exists(path), "the history is in a file of that very name");
            Assert.True(new FileInfo(path).Length > 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AnEmptyDatabaseFile_IsMadeADatabase_SayingSo()
    {
        var path = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.db");
        await File.WriteAllBytesAsync(path, []);
        try
        {
            var (exit, _, errors) = await ExecuteAsync(Run() with { Database = path });

            Assert.Equal(0, exit);
            Assert.Contains("the file is empty", errors, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task AStoredHistory_IsShownReadOnly_WithoutChangingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.db");
        try
        {
            var (importExit, imported, _) = await ExecuteAsync(Run(Path.Combine(Data, "crm-export.csv"), Path.Combine(Data, "pipeline.json")) with { Database = path });
            var bytes = await File.ReadAllBytesAsync(path);
            File.SetAttributes(path, FileAttributes.ReadOnly);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            var (exit, shown, errors) = await ExecuteAsync(Run() with { Database = path });

            Assert.Equal((0, 0, ""), (importExit, exit, errors));
            Assert.Equal(imported, shown);
            Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        }
        finally
        {
            if (File.Exists(path))
            {
                File.SetAttributes(path, FileAttributes.Normal);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                File.Delete(path);
            }
        }
    }

    [Fact]
    public async Task ADatabase_ThatFailsToWrite_IsOneLine_WithExitCode3()
    {
        var path = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.db");
        try
        {
            Assert.Equal(0, (await ExecuteAsync(Run() with { Database = path })).Exit);
            // The stored file is then held by another connection in an exclusive transaction: every write of the import is refused.
            await using var holder = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False;Default Timeout=1");
            await holder.OpenAsync();
            await using (var command = holder.CreateCommand())
            {
                command.CommandText = "BEGIN EXCLUSIVE";
                await command.ExecuteNonQueryAsync();
            }

            var (exit, output, errors) = await ExecuteAsync(Run(Path.Combine(Data, "crm-export.csv")) with { Database = path });

            Assert.Equal((3, ""), (exit, output));
            Assert.StartsWith($"error: --database {path}: ", errors, StringComparison.Ordinal);
            Assert.Contains("run the same command again", errors, StringComparison.Ordinal);
            Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"))
            {
                File.Delete(file);
            }
        }
    }

    private static string TempFile(string text)
    {
        var file = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, text);
        return file;
    }
}
