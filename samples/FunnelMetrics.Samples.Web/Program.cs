using FunnelMetrics.Analytics;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Hosting;
using FunnelMetrics.Samples.Web;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

// The web sample: the head of sales' live dashboard and a manager's page over the generated team of the console sample,
// served by FunnelMetrics.AspNetCore's endpoints from the hosted warm read model. Exit codes: 0 stopped, 2 a bad setting,
// 3 the database cannot be used. Settings: samples/FunnelMetrics.Samples.Web/README.md.
var builder = WebApplication.CreateBuilder(args);
SampleSettings settings;
try
{
    settings = SampleSettings.Read(builder.Configuration);
}
catch (SampleConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"error: {ex.Message}");
    return 2;
}

var clock = new SampleClock(settings.Clock);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(clock);
builder.Services.AddSingleton<TimeProvider>(clock);
if (settings.Storage == SampleStorage.Sqlite)
{
    var connectionString = new SqliteConnectionStringBuilder { DataSource = settings.SqlitePath, DefaultTimeout = 5 }.ToString();
    builder.Services.AddDbContextFactory<FunnelMetricsDbContext>(o => o.UseSqlite(connectionString));
}
else
{
    builder.Services.AddDbContextFactory<FunnelMetricsDbContext>(o => o.UseNpgsql(settings.PostgresConnectionString));
}

builder.Services.AddSingleton<DemoSeeding>();
builder.Services.AddFunnelMetrics(builder.Configuration.GetSection(FunnelMetricsOptions.SectionName))
    .UseEntityFrameworkCore<FunnelMetricsDbContext>()
    .AddHostedReadModel(builder.Configuration.GetSection(FunnelReadModelOptions.SectionName));
SampleAccounts.AddTo(builder.Services);

// FunnelMetrics.AspNetCore: its endpoints' services (the JSON contract for HTTP, problem details), and who sees what:
// the head of sales the team, a manager their own clients, from the sign-in's claims.
builder.Services.AddFunnelMetricsEndpoints();
builder.Services.AddFunnelAccessPolicy((user, _) => SampleAccounts.ScopeOf(user));
builder.Services.AddOpenApi();
SampleTelemetry.AddTo(builder.Services, settings);

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
SampleAccounts.Map(app);

// The package's endpoints under /api, for signed-in people only; the scope above narrows what each one sees.
app.MapGroup("/api").MapFunnelMetrics().RequireAuthorization(SampleAccounts.SignedInPolicy);
app.MapOpenApi();
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });

app.Lifetime.ApplicationStopped.Register(RemoveTemporaryDatabase);
try
{
    // Before the host starts, so that a bad setting or an unusable database is one line, not the host's logged stack
    // trace: the options' own validation (each failure names its setting), then the store (before the read model loads it).
    app.Services.GetService<IStartupValidator>()?.Validate();
    await app.Services.GetRequiredService<DemoSeeding>().RunAsync(app.Lifetime.ApplicationStopping);
}
catch (OptionsValidationException ex)
{
    // The configuration section the failing options are bound from, so that the line names the whole key.
    var section = ex.OptionsType == typeof(FunnelReadModelOptions) ? FunnelReadModelOptions.SectionName
        : ex.OptionsType == typeof(FunnelMetricsOptions) ? FunnelMetricsOptions.SectionName
        : ex.OptionsType.Name;
    foreach (var failure in ex.Failures)
    {
        await Console.Error.WriteLineAsync($"error: {section}: {failure}");
    }

    RemoveTemporaryDatabase();
    return 2;
}
catch (SampleStartupException ex)
{
    await Console.Error.WriteLineAsync($"error: {ex.Message}");
    RemoveTemporaryDatabase();
    return 3;
}

await app.RunAsync();
return 0;

// The default SQLite file is this run's own: removed when the app stops (or fails to start).
void RemoveTemporaryDatabase()
{
    if (settings.SqliteIsTemporary)
    {
        SqliteConnection.ClearAllPools();
        File.Delete(settings.SqlitePath!);
        File.Delete(settings.SqlitePath + "-wal");
        File.Delete(settings.SqlitePath + "-shm");
    }
}
