using System.Globalization;

namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="PipelineValue"/>: one pass over the clients, one binary search per client (two with value updates).</summary>
public static class PipelineValueCalculator
{
    /// <summary>Money per open stage and owner as of an instant, with the weighted pipeline.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive: a client's stage and owner are those after its last event at or before it (as <see cref="StageCountsCalculator"/> counts), its value the one its updates at or before it set.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition uses the owner as of <paramref name="asOf"/>, the attribute condition the attributes as of it.</param>
    /// <param name="chainWinProbabilities">
    /// The chain model's win probability per open stage, each in [0, 1]: the forecast's <c>StageForecast.WinProbability</c>
    /// (<c>Forecast.WinProbabilities()</c> or <c>ForecastCalculator.WinProbabilities</c> in <c>FunnelMetrics.Forecasting</c>).
    /// A stage left out has no chain probability; <see langword="null"/> for none at all (every chain-weighted figure is then <see langword="null"/>).
    /// The owners' rows are weighted by the same probabilities as the team's, so they add up to it.
    /// </param>
    /// <param name="parallelism">How many threads may read the clients (the options graph's <c>Parallelism</c> section); <see langword="null"/> for the defaults. The figures are the same whatever the degree.</param>
    /// <returns>The money per stage.</returns>
    /// <exception cref="ArgumentException">A chain probability names a stage that is not an open stage of the pipeline, or an option is out of range (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A chain probability is not a number in [0, 1]; the message names the stage.</exception>
    public static PipelineValue Compute(FunnelEventLog log, DateTimeOffset asOf, FunnelFilter? filter = null, IReadOnlyDictionary<StageId, double>? chainWinProbabilities = null, ParallelismOptions? parallelism = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var pipeline = log.Pipeline;
        var chain = ChainProbabilities(pipeline, chainWinProbabilities, nameof(chainWinProbabilities));
        var threads = ParallelismOptions.Check(parallelism, nameof(parallelism));
        filter ??= FunnelFilter.All;
        var (cut, clientMask, ownerMask) = (asOf.UtcTicks, filter.ClientMask(log, asOf.UtcTicks), filter.OwnerMask(log));
        var parts = ClientPartitions.Fold(clientMask.Length, threads, (from, to) => PipelineValueAccumulator.Fold(log, cut, clientMask, ownerMask, from, to));
        var sums = parts[0];
        for (var p = 1; p < parts.Length; p++)
        {
            sums.Add(parts[p]);
        }

        var width = pipeline.Stages.Count + 1;
        var staged = new double?[pipeline.Stages.Count];
        for (var s = 0; s < staged.Length; s++)
        {
            staged[s] = pipeline.Stages[s].WinProbability;
        }

        // The team's cells: the owners' added, in owner order.
        var owners = Math.Max(log.OwnerCount, 1);
        var (teamClients, teamValued, teamValue) = (new int[width], new int[width], new decimal[width]);
        var byOwner = new List<OwnerPipelineValue>();
        for (var o = 0; o < owners; o++)
        {
            var any = false;
            for (var b = 0; b < width; b++)
            {
                var cell = sums.Cell(o, b);
                teamClients[b] += sums.Clients[cell];
                teamValued[b] += sums.Valued[cell];
                teamValue[b] += sums.Value[cell];
                any |= sums.Clients[cell] != 0;
            }

            if (any && o < log.OwnerCount)
            {
                var start = sums.Cell(o, 0);
                var (stages, open, won, lost) = Row(pipeline, staged, chain, sums.Clients.AsSpan(start, width), sums.Valued.AsSpan(start, width), sums.Value.AsSpan(start, width));
                byOwner.Add(new OwnerPipelineValue(log.OwnerAt(o), stages, open, won, lost));
            }
        }

        var (allStages, allOpen, allWon, allLost) = Row(pipeline, staged, chain, teamClients, teamValued, teamValue);
        return new PipelineValue(pipeline.Id, asOf, pipeline.CurrencyCode, chain is not null, allStages, allOpen, allWon, allLost, byOwner);
    }

    /// <summary>One row's figures (an owner's or the team's) from its cells: stage buckets, then lost.</summary>
    private static (StageValue[] Stages, OpenPipelineValue Open, ValueTally Won, ValueTally Lost) Row(PipelineDefinition pipeline, double?[] staged, double?[]? chain, ReadOnlySpan<int> clients, ReadOnlySpan<int> valued, ReadOnlySpan<decimal> value)
    {
        var won = pipeline.WonStageIndex;
        var lost = pipeline.Stages.Count;
        var stages = new StageValue[pipeline.Stages.Count - 1];
        int openClients = 0, openValued = 0;
        decimal openValue = 0m, withoutStage = 0m, withoutChain = 0m;
        decimal? byStage = null, byChain = null;
        var i = 0;
        for (var s = 0; s < pipeline.Stages.Count; s++)
        {
            if (s == won)
            {
                continue;
            }

            var p = staged[s];
            var q = chain?[s];
            var weightedByStage = p is { } sp ? value[s] * (decimal)sp : (decimal?)null;
            var weightedByChain = q is { } cq ? value[s] * (decimal)cq : (decimal?)null;
            stages[i++] = new StageValue(pipeline.Stages[s].Key, clients[s], valued[s], clients[s] - valued[s], value[s], p, weightedByStage, q, weightedByChain);
            (openClients, openValued, openValue) = (openClients + clients[s], openValued + valued[s], openValue + value[s]);
            if (weightedByStage is { } ws)
            {
                byStage = (byStage ?? 0m) + ws;
            }
            else
            {
                withoutStage += value[s];
            }

            if (weightedByChain is { } wc)
            {
                byChain = (byChain ?? 0m) + wc;
            }
            else
            {
                withoutChain += value[s];
            }
        }

        var open = new OpenPipelineValue(openClients, openValued, openClients - openValued, openValue, byStage, withoutStage, byChain, withoutChain);
        return (stages, open, Tally(clients, valued, value, won), Tally(clients, valued, value, lost));
    }

    private static ValueTally Tally(ReadOnlySpan<int> clients, ReadOnlySpan<int> valued, ReadOnlySpan<decimal> value, int bucket) =>
        new(clients[bucket], valued[bucket], clients[bucket] - valued[bucket], value[bucket]);

    /// <summary>The chain probabilities by stage index, checked: open stages of the pipeline, numbers in [0, 1].</summary>
    private static double?[]? ChainProbabilities(PipelineDefinition pipeline, IReadOnlyDictionary<StageId, double>? given, string parameter)
    {
        if (given is null)
        {
            return null;
        }

        var chain = new double?[pipeline.Stages.Count];
        foreach (var (stage, probability) in given)
        {
            var s = pipeline.IndexOf(stage);
            if (s < 0 || s == pipeline.WonStageIndex)
            {
                throw new ArgumentException($"The chain win probability of stage '{stage}' names no open stage of pipeline '{pipeline.Id}'.", parameter);
            }

            if (!(probability is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(parameter, probability, string.Create(CultureInfo.InvariantCulture, $"The chain win probability of stage '{stage}' must be a number from 0 to 1; got {probability}."));
            }

            chain[s] = probability;
        }

        return chain;
    }
}
