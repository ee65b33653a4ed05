using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

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

        if (args is ["import", ..])
        {
            return ImportRun.RunAsync(args).GetAwaiter().GetResult();
        }

        // The PostgreSQL benchmarks need a server: without FUNNELMETRICS_POSTGRES they are left out, not failed.
        var types = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkAttribute), false)))
            .Where(t => t != typeof(PostgresReadBenchmarks) || PostgresReadBenchmarks.ServerConnectionString is not null)
            .ToArray();
        // --inProcessLong: in process (each size's history generated once), one warm-up and three measured single
        // operations, and no limit on how long a run takes, for the 10M size; the default in-process runner gives up
        // on benchmarks whose setup and runs take more than a few minutes.
        IConfig? config = null;
        if (args.Contains("--inProcessLong"))
        {
            args = [.. args.Where(a => a != "--inProcessLong")];
            config = DefaultConfig.Instance.AddJob(Job.Default
                .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(2), logOutput: true))
                .WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
        }

        var summaries = BenchmarkSwitcher.FromTypes(types).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
