using System.Runtime.CompilerServices;

namespace FunnelMetrics.Metrics;

/// <summary>
/// The clients per owner and count bucket (each stage, then lost): the one definition of <see cref="StageCounts"/>.
/// <see cref="StageCountsCalculator"/> folds a log into it as of an instant; <see cref="FunnelLiveView"/> moves a client
/// between cells on each event; <see cref="Shape"/> makes the result for both. Accumulators over disjoint sets of clients
/// <see cref="Merge"/> exactly: the merge adds the cells of equal owners, so it is associative and commutative, and the
/// merge of the folds of any split of the clients equals the fold of all of them.
/// </summary>
internal sealed class StageCountsAccumulator
{
    private readonly PipelineDefinition _pipeline;
    private readonly int _width;
    private int[] _cells;

    public StageCountsAccumulator(PipelineDefinition pipeline, OwnerTable owners)
        : this(pipeline, owners, new int[Math.Max(owners.Count, 1) * (pipeline.Stages.Count + 1)])
    {
    }

    private StageCountsAccumulator(PipelineDefinition pipeline, OwnerTable owners, int[] cells)
    {
        _pipeline = pipeline;
        _width = pipeline.Stages.Count + 1;
        Owners = owners;
        _cells = cells;
    }

    /// <summary>The owners counted for; cells are by their indexes.</summary>
    public OwnerTable Owners { get; }

    /// <summary>The bucket of lost clients: one past the last stage.</summary>
    public int LostBucket => _width - 1;

    /// <summary>The clients of <paramref name="clientMask"/> by their state after their last event at or before <paramref name="cut"/>, for the owners of <paramref name="ownerMask"/> then.</summary>
    public static StageCountsAccumulator Fold(FunnelEventLog log, long cut, bool[] clientMask, bool[] ownerMask) =>
        FoldRange(log, cut, clientMask, ownerMask, 0, clientMask.Length);

    /// <summary>The same for the clients [<paramref name="from"/>, <paramref name="to"/>) only: one partition of a parallel fold (<see cref="ClientPartitions"/>).</summary>
    public static StageCountsAccumulator FoldRange(FunnelEventLog log, long cut, bool[] clientMask, bool[] ownerMask, int from, int to)
    {
        var width = log.Pipeline.Stages.Count + 1;
        var cells = new int[Math.Max(log.OwnerCount, 1) * width];
        for (var c = from; c < to; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var history = log.History(c);
            var e = history.LastAtOrBefore(cut);
            if (e >= 0 && history.Bucket(e) is >= 0 and var bucket && history.Owner(e) is var owner && ownerMask[owner])
            {
                cells[(owner * width) + bucket]++;
            }
        }

        return new StageCountsAccumulator(log.Pipeline, OwnerTable.Of(log), cells);
    }

    /// <summary>Adds <paramref name="delta"/> clients to a cell; a bucket of -1 (not entered) is no cell.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int owner, int bucket, int delta)
    {
        if (bucket < 0)
        {
            return;
        }

        var cell = (owner * _width) + bucket;
        if (cell >= _cells.Length)
        {
            Array.Resize(ref _cells, Math.Max(_cells.Length * 2, (owner + 1) * _width));
        }

        _cells[cell] += delta;
    }

    /// <summary>The clients in a cell.</summary>
    public int this[int owner, int bucket] => (owner * _width) + bucket < _cells.Length ? _cells[(owner * _width) + bucket] : 0;

    /// <summary>The counts of both accumulators' clients, which must be disjoint: a new accumulator, the inputs unchanged.</summary>
    /// <exception cref="ArgumentException">The accumulators are of different pipelines.</exception>
    public StageCountsAccumulator Merge(StageCountsAccumulator other)
    {
        if (other._pipeline.Id != _pipeline.Id || other._width != _width)
        {
            throw new ArgumentException($"Stage counts of pipeline '{other._pipeline.Id}' cannot merge into those of '{_pipeline.Id}'.", nameof(other));
        }

        var merged = new StageCountsAccumulator(_pipeline, OwnerTable.Empty());
        foreach (var source in (ReadOnlySpan<StageCountsAccumulator>)[this, other])
        {
            for (var o = 0; o < source.Owners.Count; o++)
            {
                var into = merged.Owners.IndexOf(source.Owners[o]);
                for (var b = 0; b < _width; b++)
                {
                    merged.Add(into, b, source[o, b]);
                }
            }
        }

        return merged;
    }

    /// <summary>The result: the team's counts, and each owner's with any client, in owner id order.</summary>
    public StageCounts Shape(DateTimeOffset asOf)
    {
        var won = _pipeline.WonStageIndex;
        var lost = LostBucket;
        var totals = new int[_width];
        var byOwner = new List<OwnerStageCounts>();
        foreach (var o in Owners.InIdOrder())
        {
            var row = new int[_width];
            var any = false;
            for (var b = 0; b < _width; b++)
            {
                row[b] = this[o, b];
                totals[b] += row[b];
                any |= row[b] != 0;
            }

            if (any)
            {
                var (stages, inWork) = Row(row);
                byOwner.Add(new OwnerStageCounts(Owners[o], stages, inWork, row[won], row[lost]));
            }
        }

        var (allStages, allInWork) = Row(totals);
        return new StageCounts(_pipeline.Id, asOf, allStages, allInWork, totals[won], totals[lost], allInWork + totals[won] + totals[lost], byOwner);
    }

    private (StageCount[] Stages, int InWork) Row(int[] row)
    {
        var stages = new StageCount[_pipeline.Stages.Count];
        var inWork = 0;
        for (var s = 0; s < stages.Length; s++)
        {
            stages[s] = new StageCount(_pipeline.Stages[s].Key, row[s]);
            inWork += s == _pipeline.WonStageIndex ? 0 : row[s];
        }

        return (stages, inWork);
    }
}
