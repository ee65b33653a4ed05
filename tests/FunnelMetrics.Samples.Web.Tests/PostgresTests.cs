using System.Net;
using System.Text.Json;
using Npgsql;

namespace FunnelMetrics.Samples.Web.Tests;

/// <summary>The sample on PostgreSQL, named by ConnectionStrings:Postgres: a database of its own on the test server.</summary>
public sealed class PostgresTests
{
    private static readonly string? Postgres = Environment.GetEnvironmentVariable("FUNNELMETRICS_POSTGRES");

    [SkippableFact]
    public async Task OnPostgres_TheGeneratedTeamIsStoredAndServed()
    {
        Skip.If(Postgres is null, "PostgreSQL tests are skipped: set FUNNELMETRICS_POSTGRES to a connection string; .ci/run starts a server and sets it.");
        var database = $"funnel_web_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(Postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(Postgres) { Database = database }.ToString();
            await using (var app = await SampleApp.StartAsync($"--ConnectionStrings:Postgres={connectionString}", "--Sample:Database="))
            {
                using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = app.Address };
                (await http.PostAsync("/account/sign-in", new FormUrlEncodedContent([new("as", "head")]))).EnsureSuccessStatusCode();
                using var dashboard = JsonDocument.Parse(await http.GetStringAsync("/api/pipelines/sales/dashboard"));

                // The console sample's team: 1,116 clients entered (its --json prints the same).
                Assert.Equal(1116, dashboard.RootElement.GetProperty("funnel").GetProperty("entered").GetInt32());
                Assert.Contains($"PostgreSQL database {database} on ", app.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(Postgres);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
