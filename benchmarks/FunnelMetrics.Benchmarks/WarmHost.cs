using System.Net.Http.Headers;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// An ASP.NET Core application as an integrator writes one: the EF Core store over the benchmark database, the hosted
/// read model, <c>MapFunnelMetrics()</c> on Kestrel (loopback, a free port), the library's default settings; started
/// and its model loaded, with an <see cref="HttpClient"/> on it. Shared by the benchmarks that time requests on a warm
/// model (<see cref="HttpDashboardBenchmarks"/>, <see cref="RevenueBenchmarks"/>).
/// </summary>
internal sealed class WarmHost : IAsyncDisposable
{
    private WarmHost(WebApplication app, HttpClient http) => (App, Http) = (app, http);

    /// <summary>The application: its services give a request's <c>FunnelAnalytics</c>.</summary>
    public WebApplication App { get; }

    /// <summary>A client on the application's address, asking for JSON.</summary>
    public HttpClient Http { get; }

    /// <summary>Puts the history of this size into the database (when it is not there yet), starts the application and waits for its model.</summary>
    public static async Task<WarmHost> StartAsync(string database, int transitions)
    {
        var connectionString = await EndToEndBenchmarks.PrepareDatabaseAsync(database, transitions);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        EndToEndBenchmarks.Register(database, connectionString)(builder.Services);
        builder.Services.AddFunnelMetrics().UseEntityFrameworkCore<FunnelMetricsDbContext>().AddHostedReadModel();
        builder.Services.AddFunnelMetricsEndpoints();
        var app = builder.Build();
        app.MapFunnelMetrics();
        await app.StartAsync();
        await app.Services.GetRequiredService<FunnelReadModelService>().WaitForReadyAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var http = new HttpClient { BaseAddress = new Uri(address) };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return new WarmHost(app, http);
    }

    /// <summary>The length of a GET's whole body; a status other than success throws.</summary>
    public async Task<int> BodyLengthAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync()).Length;
    }

    /// <summary>Stops the application; the pools of a PostgreSQL database are cleared, so a later set-up may drop it.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
    }
}
