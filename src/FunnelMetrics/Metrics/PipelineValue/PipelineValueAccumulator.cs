namespace FunnelMetrics.Metrics;

/// <summary>
/// The clients, valued clients and value sums per owner and count bucket (each stage, then lost) of a set of clients as
/// of an instant: the one fold behind <see cref="PipelineValue"/>. Folds of disjoint client ranges of one log
/// <see cref="Add"/> exactly (integer and decimal sums), so a parallel fold equals the sequential one.
/// </summary>
internal sealed class PipelineValueAccumulator
{
    private readonly int _width;

    private PipelineValueAccumulator(int owners, int width)
    {
        _width = width;
        Clients = new int[owners * width];
        Valued = new int[owners * width];
        Value = new decimal[owners * width];
    }

    /// <summary>Clients per cell: owner × bucket.</summary>
    public int[] Clients { get; }

    /// <summary>Clients with a known value per cell.</summary>
    public int[] Valued { get; }

    /// <summary>The sum of the known values per cell.</summary>
    public decimal[] Value { get; }

    /// <summary>The cell of an owner's bucket.</summary>
    public int Cell(int owner, int bucket) => (owner * _width) + bucket;

    /// <summary>The clients [<paramref name="from"/>, <paramref name="to"/>) of the mask by their state and value as of <paramref name="cut"/> (inclusive), for the owners of <paramref name="ownerMask"/> then.</summary>
    public static PipelineValueAccumulator Fold(FunnelEventLog log, long cut, bool[] clientMask, bool[] ownerMask, int from, int to)
    {
        var width = log.Pipeline.Stages.Count + 1;
        var acc = new PipelineValueAccumulator(Math.Max(log.OwnerCount, 1), width);
        var (clients, valued, value) = (acc.Clients, acc.Valued, acc.Value);
        for (var c = from; c < to; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            // The stage counts' rule: the state after the last event at or before the cut, the owner on it.
            var history = log.History(c);
            var e = history.LastAtOrBefore(cut);
            var bucket = e < 0 ? -1 : history.Bucket(e);
            var owner = bucket < 0 ? -1 : history.Owner(e);
            if (bucket < 0 || !ownerMask[owner])
            {
                continue;
            }

            var cell = (owner * width) + bucket;
            clients[cell]++;
            if (history.ValueAsOf(cut) is { } v)
            {
                valued[cell]++;
                value[cell] += v;
            }
        }

        return acc;
    }

    /// <summary>Adds the sums of other clients of the same log.</summary>
    public void Add(PipelineValueAccumulator other)
    {
        for (var i = 0; i < Clients.Length; i++)
        {
            Clients[i] += other.Clients[i];
            Valued[i] += other.Valued[i];
            Value[i] += other.Value[i];
        }
    }
}
