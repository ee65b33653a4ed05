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

// Before the read model's hosted service: hosted services start in the order they are registered.
builder.Services.AddHostedService<DemoSeeding>();
builder.Services.AddFunnelMetrics(builder.Configuration.GetSection(FunnelMetricsOptions.SectionName))
    .UseEntityFrameworkCore<FunnelMetricsDbContext>()
    .AddHostedReadModel(builder.Configuration.GetSection(FunnelReadModelOptions.SectionName));
SampleAccounts.AddTo(builder.Services);
SampleTelemetry.AddTo(builder.Services, settings);

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
SampleAccounts.Map(app);
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });

if (settings.SqliteIsTemporary)
{
    app.Lifetime.ApplicationStopped.Register(() =>
    {
        SqliteConnection.ClearAllPools();
        File.Delete(settings.SqlitePath!);
        File.Delete(settings.SqlitePath + "-wal");
        File.Delete(settings.SqlitePath + "-shm");
    });
}

try
{
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    // FunnelMetrics' options (and the read model's) are validated on start; each failure names its setting.
    foreach (var failure in ex.Failures)
    {
        await Console.Error.WriteLineAsync($"error: {failure}");
    }

    return 2;
}
catch (SampleStartupException ex)
{
    await Console.Error.WriteLineAsync($"error: {ex.Message}");
    return 3;
}
