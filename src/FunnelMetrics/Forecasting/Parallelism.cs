namespace FunnelMetrics.Forecasting;

/// <summary>
/// Runs a forecast's independent parts (ranges of clients, stages, owners' chains, groups of clients) on up to a given
/// number of threads. Each part writes only its own results, so the forecast is the same whatever the degree.
/// </summary>
internal static class Parallelism
{
    /// <summary>The degree of parallelism a forecast uses by default: one thread per processor.</summary>
    public static int DefaultDegree => Environment.ProcessorCount;

    /// <summary>The least work (in the forecast's estimates, about a nanosecond each) worth more than one thread: below it, starting threads costs more than it saves.</summary>
    public const long MinimumWork = 1L << 20;

    /// <summary>The degree for a part of this much estimated work: 1 below <see cref="MinimumWork"/>.</summary>
    public static int For(long work, int degree) => work >= MinimumWork ? degree : 1;

    /// <summary>Runs <paramref name="body"/> for 0 to <paramref name="count"/> - 1: in order on this thread when the degree or the count is 1.</summary>
    public static void For(int count, int degree, Action<int> body)
    {
        if (degree <= 1 || count <= 1)
        {
            for (var i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = degree }, body);
    }
}
