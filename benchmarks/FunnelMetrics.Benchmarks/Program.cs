using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

namespace FunnelMetrics.Benchmarks;

/// <summary>Runs the benchmarks: <c>dotnet run -c Release --project benchmarks/FunnelMetrics.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks the arguments select; exits with 1 when one of them failed, so CI notices.</summary>
    public static int Main(string[] args)
    {
        if (args is ["profile", ..])
        {
            return Profiling.Run(args);
        }

        // The PostgreSQL benchmarks need a server: without FUNNELMETRICS_POSTGRES they are left out, not failed.
        var types = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkAttribute), false)))
            .Where(t => t != typeof(PostgresReadBenchmarks) || PostgresReadBenchmarks.ServerConnectionString is not null)
            .ToArray();
        var summaries = BenchmarkSwitcher.FromTypes(types).Run(args);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
