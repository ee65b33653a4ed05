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

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
