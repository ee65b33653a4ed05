namespace FunnelMetrics.Docs.Tests;

/// <summary>The checkout the tests run in.</summary>
internal static class Repository
{
    /// <summary>The folder holding FunnelMetrics.sln, above the test's binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FunnelMetrics.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("FunnelMetrics.sln not found above " + AppContext.BaseDirectory);
    }
}
