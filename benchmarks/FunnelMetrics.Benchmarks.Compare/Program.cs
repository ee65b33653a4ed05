using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FunnelMetrics.Benchmarks.Compare;

/// <summary>
/// Runs every calculation before (the baseline commit) and after (the working tree) in one BenchmarkDotNet run, after
/// checking once that both sides compute the same figures, and prints the summary and a Before/After table. Usually
/// started by <c>benchmarks/compare.sh</c>.
/// </summary>
public static class Program
{
    /// <summary>The largest slowdown the issue allows a calculator.</summary>
    private const double Tolerance = 1.05;

    /// <summary>
    /// Arguments: <c>--quick</c> for a smoke run (two warm-ups and three measured single invocations a benchmark:
    /// proves both sides run and agree, its ratios are rough; compare.sh turns tiered compilation off for it, as so
    /// few invocations would otherwise time tier-0 code); anything else goes to BenchmarkDotNet (<c>--filter '*Forecast*'</c>; all by default).
    /// </summary>
    public static int Main(string[] args)
    {
        var quick = args.Contains("--quick");
        args = [.. args.Where(a => a != "--quick")];
        if (!args.Contains("--filter"))
        {
            args = [.. args, "--filter", "*"];
        }

        // A process per benchmark, loading only the side it times, so both sides are timed over like heaps and
        // neither inherits the other's runtime state. In one process, on identical code, whichever side ran second
        // built the log 6-17% faster (the collector's tuning and committed memory carry over), with both sides loaded
        // the side whose objects were allocated first built it 12% slower, and a quick run put the live view at 2.6x
        // where a process each measured 1.04x. A full collection runs before each benchmark (Comparison.Setup)
        // instead of before every iteration: with a history of a million transitions on the heap, each forced
        // collection would cost about a second. The full job stops at 40 iterations (the default is 100), so the
        // second-long calculations cannot stretch a noisy run.
        var job = quick
            ? Job.Default.WithId("Quick").WithWarmupCount(2).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1).WithEvaluateOverhead(false)
            : Job.Default.WithId("Compare").WithMaxIterationCount(40);
        job = job.WithEnvironmentVariable(Sides.OneSideVariable, "1");
        var config = DefaultConfig.Instance
            .AddJob(job.WithGcForce(false))
            .WithOptions(ConfigOptions.JoinSummary)
            .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);

        Console.WriteLine($"// Compare: before = FunnelMetrics at {BeforeSide.Commit} (FunnelMetrics.Baseline, the {BeforeSide.Api} API side), after = src/FunnelMetrics in the working tree; {Sides.Transitions:N0} transitions{(quick ? "; quick smoke run" : "")}");
        // Both sides compute the same figures, or their times are not comparable: checked once, before any benchmark.
        Sides.Check(keep: false);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToArray();
        foreach (var summary in summaries)
        {
            PrintRatios(summary);
        }

        return summaries.Length == 0 || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }

    /// <summary>One line per calculation: the two means, After/Before, the allocations, and whether After is within 5%.</summary>
    private static void PrintRatios(Summary summary)
    {
        var rows = summary.Reports
            .Where(r => r.Success && r.ResultStatistics is not null)
            .GroupBy(r => r.BenchmarkCase.Descriptor.Type.Name)
            .Select(g => (
                Name: g.Key,
                Before: g.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == "Before"),
                After: g.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == "After")))
            .Where(r => r.Before is not null && r.After is not null)
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"Before: FunnelMetrics at {BeforeSide.Commit}; after: the working tree. {Sides.Transitions:N0} transitions. Within 5%: after mean <= 1.05 x before mean.");
        Console.WriteLine();
        Console.WriteLine("| Calculation | Before | After | After/Before | Allocated before | Allocated after | Within 5% |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        var slower = 0;
        foreach (var (name, before, after) in rows)
        {
            var ratio = after!.ResultStatistics!.Mean / before!.ResultStatistics!.Mean;
            var ok = ratio <= Tolerance;
            slower += ok ? 0 : 1;
            Console.WriteLine(string.Create(c, $"| {name} | {Time(before.ResultStatistics.Mean)} | {Time(after.ResultStatistics.Mean)} | {ratio:F2} | {Bytes(before, summary)} | {Bytes(after, summary)} | {(ok ? "yes" : "**no**")} |"));
        }

        Console.WriteLine();
        Console.WriteLine(slower == 0 ? "No calculation is more than 5% slower after." : $"{slower} calculation(s) more than 5% slower after.");
    }

    private static string Time(double nanoseconds) => nanoseconds switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e9:F2} s"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:F2} ms"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e3:F2} us"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:F0} ns"),
    };

    private static string Bytes(BenchmarkReport report, Summary summary)
    {
        _ = summary;
        var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
        return bytes switch
        {
            null => "?",
            >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes.Value / 1048576.0:F2} MB"),
            >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes.Value / 1024.0:F1} KB"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{bytes.Value} B"),
        };
    }
}
