using System.Runtime.ExceptionServices;

namespace FunnelMetrics.Metrics;

/// <summary>
/// Splits a log's clients into contiguous index ranges [from, to) and folds each on its own thread: the calculators'
/// one way to use several cores. The split is fixed by the client count, the degree and the minimum partition size
/// (never by timing), and the partial results come back in range order, so a merge that is exact gives the sequential
/// fold's result whatever the degree.
/// </summary>
internal static class ClientPartitions
{
    /// <summary>How many partitions <paramref name="clients"/> are folded in: at most the degree and <paramref name="maxParts"/>, each at least the minimum size; 1 for a small log.</summary>
    public static int CountFor(int clients, ParallelismOptions parallelism, int maxParts = int.MaxValue) =>
        (int)Math.Clamp((long)clients / Math.Max(1, parallelism.MinimumClientsPerPartition), 1, Math.Max(1, Math.Min(parallelism.MaxDegreeOfParallelism, maxParts)));

    /// <summary>Partition <paramref name="part"/> of <paramref name="parts"/>: the clients [from, to), sizes differing by at most one.</summary>
    public static (int From, int To) Range(int clients, int parts, int part) =>
        ((int)((long)clients * part / parts), (int)((long)clients * (part + 1) / parts));

    /// <summary>
    /// Folds the clients 0 to <paramref name="clients"/> in <see cref="CountFor"/> partitions, in parallel when more
    /// than one (on the calling thread and the thread pool), and returns the partitions' results in range order. An
    /// exception from a fold is rethrown as is (the first, when several threw).
    /// </summary>
    public static T[] Fold<T>(int clients, ParallelismOptions parallelism, Func<int, int, T> fold, int maxParts = int.MaxValue)
    {
        var parts = CountFor(clients, parallelism, maxParts);
        var results = new T[parts];
        if (parts == 1)
        {
            results[0] = fold(0, clients);
            return results;
        }

        try
        {
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
            {
                var (from, to) = Range(clients, parts, part);
                results[part] = fold(from, to);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        return results;
    }

    /// <summary>
    /// Runs <paramref name="body"/> for 0 to <paramref name="count"/> (independent items, such as a result's stages),
    /// in parallel on up to <paramref name="degree"/> threads; sequentially when that is 1 or there is one item.
    /// </summary>
    public static void ForEach(int count, int degree, Action<int> body)
    {
        degree = Math.Min(degree, count);
        if (degree <= 1)
        {
            for (var i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = degree }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
