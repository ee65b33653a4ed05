using System.CommandLine;
using System.Globalization;
using FunnelMetrics;
using FunnelMetrics.Analytics;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Import;
using FunnelMetrics.Metrics;
using FunnelMetrics.Samples.Dashboard;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

// The head of sales' daily dashboard. With no arguments: a generated team of five managers over four months.
// With --input: a CRM export in the CSV format of docs/import.md. Exit codes: 0 done, 1 bad input data, 2 bad usage, 3 the database failed.
var input = new Option<string?>("--input") { Description = "A CSV history to import (docs/import.md). Without it, the embedded demo team." };
var pipelineFile = new Option<string?>("--pipeline") { Description = "A pipeline JSON file: stage order, won stage, thresholds, and lostOutcomes (docs/import.md)." };
var stages = new Option<string?>("--stages") { Description = "Stage names in order, comma-separated; the last one means won. Instead of --pipeline." };
var lost = new Option<string?>("--lost") { Description = "Stage names in the file that mean lost, comma-separated (default: lost)." };
var asOf = new Option<string?>("--as-of") { Description = "Read the dashboard at the end of this day (2026-10-30) or at this instant (2026-10-30T15:00:00+01:00). Default: the end of the history's last day." };
var owner = new Option<string?>("--owner") { Description = "Only this manager's clients." };
var timeZone = new Option<string>("--time-zone") { Description = "The IANA time zone days are counted in.", DefaultValueFactory = _ => "UTC" };
var target = new Option<int?>("--target") { Description = "Wins to reach by the end of the month, for the intake needed (default: the wins of the last 20 working days)." };
var json = new Option<bool>("--json") { Description = "Write the whole dashboard as JSON (the library's JSON contract) instead of tables." };
var database = new Option<string?>("--database") { Description = "Keep the history in this SQLite file (created when missing): an import persists, and a later run without --input shows it." };
var follow = new Option<bool>("--follow") { Description = "With --database: keep the history warm with the hosted read model (FunnelMetrics.Hosting), following the database's change feed, and show the dashboard again whenever another process records a move, until Ctrl+C." };
var maxErrors = new Option<int>("--max-errors") { Description = "The most input problems listed.", DefaultValueFactory = _ => 50 };

var root = new RootCommand("FunnelMetrics sample: the head of sales' daily dashboard, from a generated team or a CRM export.")
{
    input, pipelineFile, stages, lost, asOf, owner, timeZone, target, json, database, follow, maxErrors,
};

root.SetAction(async (parse, cancellationToken) =>
{
    try
    {
        var run = new DashboardRun(
            parse.GetValue(input),
            parse.GetValue(pipelineFile),
            parse.GetValue(stages),
            parse.GetValue(lost),
            parse.GetValue(asOf),
            parse.GetValue(owner),
            parse.GetValue(timeZone)!,
            parse.GetValue(target),
            parse.GetValue(json),
            parse.GetValue(maxErrors))
        {
            Database = parse.GetValue(database),
            Follow = parse.GetValue(follow),
        };
        return await run.ExecuteAsync(Console.OpenStandardOutput(), Console.Error, cancellationToken);
    }
    catch (SetupException ex)
    {
        await Console.Error.WriteLineAsync($"error: {SafeText.Printable(ex.Message)}");
        return 2;
    }
});

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // Bad usage is exit code 2, as documented (System.CommandLine's own default is 1).
    foreach (var parseError in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"error: {SafeText.Printable(parseError.Message)}");
    }

    await Console.Error.WriteLineAsync("Run with --help for the options.");
    return 2;
}

return await parsed.InvokeAsync();

/// <summary>One run of the dashboard: set up, import, compute, print.</summary>
internal sealed record DashboardRun(
    string? Input,
    string? PipelineFile,
    string? Stages,
    string? Lost,
    string? AsOf,
    string? Owner,
    string TimeZone,
    int? Target,
    bool Json,
    int MaxErrors)
{
    /// <summary>The earliest year a dashboard's day may be in.</summary>
    public const int MinYear = 1900;

    /// <summary>The latest year a dashboard's day may be in.</summary>
    public const int MaxYear = 9998;

    /// <summary>A SQLite file to keep the history in, through FunnelMetrics.EntityFrameworkCore; null for the in-memory store.</summary>
    public string? Database { get; init; }

    /// <summary>With <see cref="Database"/>: follow it with the hosted read model and show the dashboard again at each change, until cancelled.</summary>
    public bool Follow { get; init; }

    /// <summary>The terminal the tables go to; null for the process's own (tests pass a recording one).</summary>
    public IAnsiConsole? Terminal { get; init; }

    /// <summary>Runs it, writing the JSON dashboard to <paramref name="output"/> (tables go to the terminal) and problems to <paramref name="error"/>.</summary>
    /// <returns>The exit code: 0 done, 1 bad input data (nothing imported), 2 bad usage, 3 the database failed.</returns>
    public async Task<int> ExecuteAsync(Stream output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            return await ExecuteCoreAsync(output, error, cancellationToken);
        }
        catch (Exception ex) when (Database is not null && SampleDatabase.IsDatabaseFailure(ex, out var reason))
        {
            // The file cannot be written (read-only, disk full, locked): each client's events are stored whole or not at
            // all, so what was stored stays consistent, and the same import run again finishes the job.
            await error.WriteLineAsync($"error: --database {SafeText.Printable(Database)}: {SafeText.Printable(reason)} What was stored before stays; run the same command again once the database can be written.");
            return 3;
        }
    }

    private async Task<int> ExecuteCoreAsync(Stream output, TextWriter error, CancellationToken cancellationToken)
    {
        if (PipelineFile is not null && Stages is not null)
        {
            throw new SetupException("--pipeline and --stages both describe the pipeline; give one of them.");
        }

        if (Target is < 0)
        {
            throw new SetupException($"--target must be 0 or more wins; got {Target}.");
        }

        if (Follow && Database is null)
        {
            throw new SetupException("--follow follows a database: give --database too.");
        }

        if (MaxErrors < 1)
        {
            throw new SetupException("--max-errors must be at least 1.");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            throw new SetupException($"--time-zone: '{TimeZone}' is not a time zone this machine knows; use an IANA name such as Europe/Berlin.");
        }

        var setup = PipelineFile is not null ? PipelineSetup.FromFile(PipelineFile) : PipelineSetup.FromNames(Stages, Lost);
        var services = new ServiceCollection();
        var funnel = services.AddFunnelMetrics(options => options.TimeZone = TimeZone);
        var readOnly = false;
        if (Database is not null)
        {
            var (state, holdsClients) = await SampleDatabase.InspectAsync(Database, cancellationToken);
            if (state == DatabaseState.Empty)
            {
                await error.WriteLineAsync($"note: --database {SafeText.Printable(Database)}: the file is empty (or a SQLite database without tables); the FunnelMetrics tables are created in it.");
            }

            // Showing a stored history writes nothing: open it read-only, so a read-only file can be shown too.
            readOnly = state == DatabaseState.FunnelMetrics && holdsClients && Input is null;
            var connectionString = SampleDatabase.ConnectionString(Database, readOnly);
            services.AddDbContextFactory<FunnelMetricsDbContext>(o => o.UseSqlite(connectionString));
            funnel.UseEntityFrameworkCore<FunnelMetricsDbContext>();
            if (Follow)
            {
                // The warm model: loaded once, then kept current from the database's change feed (docs/integration.md).
                funnel.AddHostedReadModel(o => o.Pipelines.Add(setup.Pipeline.Id.Value));
            }
        }

        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var pipelines = scope.ServiceProvider.GetRequiredService<IPipelineRepository>();
        var stored = false;
        if (Database is not null)
        {
            if (!readOnly)
            {
                await using var context = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<FunnelMetricsDbContext>>().CreateDbContextAsync(cancellationToken);
                await context.Database.EnsureCreatedAsync(cancellationToken);
            }

            if (await pipelines.GetAsync(setup.Pipeline.Id, cancellationToken) is { } existing)
            {
                // A database keeps its pipeline: without pipeline options, read it as stored.
                setup = PipelineFile is null && Stages is null ? new PipelineSetup(existing, setup.LostOutcomes) : setup;
                stored = await scope.ServiceProvider.GetRequiredService<IClientRepository>().ListAsync(existing.Id, limit: 1, cancellationToken: cancellationToken).AnyAsync(cancellationToken);
            }
        }

        if (readOnly && await pipelines.GetAsync(setup.Pipeline.Id, cancellationToken) is null)
        {
            throw new SetupException($"--database {SafeText.Printable(Database!)}: holds no pipeline '{setup.Pipeline.Id}'; give the pipeline options it was imported with (--pipeline or --stages).");
        }

        try
        {
            if (!readOnly || !(await pipelines.GetAsync(setup.Pipeline.Id, cancellationToken))!.Equals(setup.Pipeline))
            {
                await pipelines.AddAsync(setup.Pipeline, cancellationToken);
            }
        }
        catch (PipelineConflictException)
        {
            throw new SetupException($"--database {SafeText.Printable(Database!)}: it holds pipeline '{setup.Pipeline.Id}' with another definition than the one given; use the same pipeline options as when it was imported, or another database file.");
        }

        var importer = scope.ServiceProvider.GetRequiredService<FunnelImporter>();

        var terminal = Terminal ?? AnsiConsole.Console;
        var interactive = !Json && Terminal is null && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var csvProblems = new List<CsvProblem>();
        ImportResult result;
        if (Input is null)
        {
            // The demo team, unless the database already holds a history: then that history is shown as stored.
            IEnumerable<ImportRecord> demo = stored ? [] : DemoTeam.Generate(setup.Pipeline);
            result = await importer.ImportAsync(setup.Pipeline.Id, demo, cancellationToken: cancellationToken);
        }
        else if (interactive)
        {
            result = null!;
            await AnsiConsole.Progress().AutoClear(true).StartAsync(async context =>
            {
                var reading = context.AddTask("Reading " + SafeText.Markup(Path.GetFileName(Input)), maxValue: 1);
                var checking = context.AddTask("Checking", maxValue: 1);
                var storing = context.AddTask("Storing", maxValue: 1);
                var records = CsvHistory.Read(Input, setup, csvProblems, share => reading.Value = share);
                var progress = new InlineProgress(p => (p.Phase == ImportPhase.Checking ? checking : storing).Value = p.Total == 0 ? 1 : (double)p.Done / p.Total);
                result = await ImportAsync(importer, setup, records, csvProblems, progress, cancellationToken);
            });
        }
        else
        {
            var records = CsvHistory.Read(Input, setup, csvProblems);
            result = await ImportAsync(importer, setup, records, csvProblems, null, cancellationToken);
        }

        if (result.Interrupted)
        {
            // Another writer changed a client while this import stored: the clients before it are stored; a rerun is safe.
            await error.WriteLineAsync($"error: {SafeText.Printable(result.Problems[0].Message)}");
            await error.WriteLineAsync($"error: the import of {SafeText.Printable(Input ?? "the demo history")} stopped part way: {result.ClientsAdded + result.ClientsExtended + result.ClientsUnchanged} client(s) stored; run the same command again to finish.");
            return 3;
        }

        if (csvProblems.Count > 0 || !result.Succeeded)
        {
            await ReportProblemsAsync(csvProblems, result, error);
            return 1;
        }

        var file = Input ?? "(demo history)";
        foreach (var warning in result.Warnings)
        {
            // What the file says differently from what is stored: kept as stored, never dropped without a word.
            await error.WriteLineAsync($"warning: {SafeText.Printable(file)}, line {warning.Position}, column {CsvHistory.ColumnOf(warning.Field)}: {SafeText.Printable(warning.Message)}");
        }

        if (result.WarningsTruncated)
        {
            await error.WriteLineAsync($"warning: ... and more differences from the stored history (--max-errors {MaxErrors}).");
        }

        foreach (var update in result.Updates)
        {
            // A value, expected close date or attribute the file gives differently from the stored client: recorded as an update.
            await error.WriteLineAsync($"update: {SafeText.Printable(file)}, line {update.Position}, column {CsvHistory.ColumnOf(update.Field)}: {SafeText.Printable(update.Message)}");
        }

        if (result.UpdatesTruncated)
        {
            await error.WriteLineAsync($"update: ... and more changes (--max-errors {MaxErrors}).");
        }

        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        if (Follow)
        {
            return await FollowAsync(provider, analytics, setup.Pipeline.Id, output, terminal, cancellationToken);
        }

        var log = await analytics.LoadAsync(setup.Pipeline.Id, cancellationToken);
        var options = scope.ServiceProvider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value;
        var (asOf, request) = Request(log);
        var report = FunnelDashboard.Compute(log, asOf, request, options);
        if (Json)
        {
            DashboardJson.Write(output, report);
            await output.FlushAsync(cancellationToken);
        }
        else
        {
            if (Input is not null)
            {
                terminal.MarkupLine($"[grey]Imported {result.Records} rows: {result.ClientsAdded} clients added, {result.ClientsExtended} extended ({result.ClientsUpdated} with an update), {result.ClientsUnchanged} unchanged, {result.EventsAppended} events.[/]");
            }

            DashboardConsole.Write(terminal, report);
        }

        return 0;
    }

    /// <summary>
    /// Runs the hosted read model and shows the dashboard from its snapshot, again whenever the snapshot moves on (another
    /// process recorded something), until cancelled (Ctrl+C). Each showing reads nothing from the database.
    /// </summary>
    private async Task<int> FollowAsync(ServiceProvider provider, FunnelAnalytics analytics, PipelineId pipeline, Stream output, IAnsiConsole terminal, CancellationToken cancellationToken)
    {
        var service = provider.GetRequiredService<FunnelMetrics.Hosting.FunnelReadModelService>();
        var registry = provider.GetRequiredService<FunnelReadModelRegistry>();
        var options = provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value;
        await service.StartAsync(cancellationToken);
        try
        {
            await service.WaitForReadyAsync(cancellationToken);
            var shown = -1L;
            while (true)
            {
                var snapshot = await registry.GetSnapshotAsync(pipeline, cancellationToken);
                if (snapshot is not null && snapshot.Position != shown)
                {
                    shown = snapshot.Position;
                    var log = await analytics.LoadAsync(pipeline, cancellationToken);
                    var (asOf, request) = Request(log);
                    var report = FunnelDashboard.Compute(log, asOf, request, options);
                    if (Json)
                    {
                        // One whole dashboard document after another, each followed by a line break.
                        DashboardJson.Write(output, report);
                        output.WriteByte((byte)'\n');
                        await output.FlushAsync(cancellationToken);
                    }
                    else
                    {
                        terminal.Clear();
                        DashboardConsole.Write(terminal, report);
                        terminal.MarkupLine($"[grey]Following the database at feed position {snapshot.Position} ({snapshot.EventCount} events); Ctrl+C to stop.[/]");
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Imports the good rows, or, when some rows could not be read, only checks the rows of the clients without such a
    /// problem so that one run lists the rule problems too; then nothing is stored.
    /// </summary>
    private async Task<ImportResult> ImportAsync(FunnelImporter importer, PipelineSetup setup, List<ImportRecord> records, List<CsvProblem> csvProblems, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var options = new ImportOptions { MaxProblems = MaxErrors };
        if (csvProblems.Count == 0)
        {
            return await importer.ImportAsync(setup.Pipeline.Id, records, options, progress, cancellationToken);
        }

        // The other rows of a client with an unreadable row would only report consequences of the row left out.
        var unreadable = csvProblems.Where(p => p.ClientId is not null).Select(p => p.ClientId!).ToHashSet(StringComparer.Ordinal);
        var clean = records.Where(r => !unreadable.Contains(r.ClientId.Value)).ToList();
        return await importer.ImportAsync(setup.Pipeline.Id, clean, options with { ValidateOnly = true }, progress, cancellationToken);
    }

    private async Task ReportProblemsAsync(List<CsvProblem> csvProblems, ImportResult result, TextWriter error)
    {
        var file = SafeText.Printable(Input ?? "(demo history)");
        var all = csvProblems
            .Concat(result.Problems.Select(p => new CsvProblem(p.Position, CsvHistory.ColumnOf(p.Field), p.Message)))
            .OrderBy(p => p.Line)
            .ToList();
        foreach (var problem in all.Take(MaxErrors))
        {
            var where = problem.Column == CsvHistory.RowColumn ? "" : $", column {problem.Column}";
            await error.WriteLineAsync($"{file}, line {problem.Line}{where}: {SafeText.Printable(problem.Reason)}");
        }

        var more = all.Count - Math.Min(all.Count, MaxErrors) + (result.ProblemsTruncated ? 1 : 0);
        if (more > 0)
        {
            await error.WriteLineAsync($"... and {(result.ProblemsTruncated ? "more" : more.ToString(CultureInfo.InvariantCulture))} further problems (--max-errors {MaxErrors}).");
        }

        await error.WriteLineAsync($"error: {all.Count}{(result.ProblemsTruncated ? "+" : "")} problem(s) in {file}; nothing was imported.");
    }

    /// <summary>The instant and the request of the dashboard from the command line.</summary>
    private (DateTimeOffset AsOf, DashboardRequest Request) Request(FunnelEventLog log)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        DateTimeOffset at;
        if (AsOf is null)
        {
            // The end of the day of the history's last event (for the demo, its last working day).
            var lastEvent = log.LastEventAt ?? throw new SetupException($"{Input ?? Database ?? "the history"}: holds no event.");
            var last = TimeZoneDays.DateOf(lastEvent, zone);
            at = TimeZoneDays.Day(InReadableYears(last), zone).End;
        }
        else if (DateOnly.TryParseExact(AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            at = TimeZoneDays.Day(InReadableYears(date), zone).End;
        }
        else if (CsvHistory.TryParseInstant(AsOf, out var instant))
        {
            // The instant's day must be readable too.
            _ = InReadableYears(TimeZoneDays.DateOf(instant, zone));
            at = instant;
        }
        else
        {
            throw new SetupException($"--as-of: '{AsOf}' is neither a day (2026-10-30) nor an instant with an offset (2026-10-30T15:00:00+01:00).");
        }

        OwnerId? ownerId = null;
        if (Owner is not null)
        {
            if (!OwnerId.TryParse(Owner, out var parsed))
            {
                throw new SetupException($"--owner: '{Owner}' is not a valid owner id.");
            }

            var owners = log.Clients.Select(c => c.Owner).Concat(StageCountsCalculator.Compute(log, at).ByOwner.Select(o => o.Owner)).ToHashSet();
            ownerId = owners.Contains(parsed)
                ? parsed
                : throw new SetupException($"--owner: '{Owner}' owns no client in this history; the owners are {string.Join(", ", owners.Order().Take(20))}.");
        }

        return (at, new DashboardRequest { Filter = ownerId is { } o ? new FunnelFilter { Owners = [o] } : null, TargetWins = Target });
    }

    /// <summary>The day, when the dashboard can read it: it looks a month back and forward, which the calendar's ends leave no room for.</summary>
    private static DateOnly InReadableYears(DateOnly day) =>
        day.Year is >= MinYear and <= MaxYear
            ? day
            : throw new SetupException($"The dashboard's day {day:yyyy-MM-dd} (--as-of, or the day of the history's last event) is outside the years {MinYear} to {MaxYear} it reads.");

    private sealed class InlineProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
