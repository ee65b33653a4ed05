namespace FunnelMetrics.Metrics;

/// <summary>The lookup of a waterfall's stage rows by stage: built once, on the first look-up, for lists of any length.</summary>
internal sealed class WaterfallRows(IReadOnlyList<StageWaterfall> rows)
{
    private Dictionary<StageId, StageWaterfall>? _byStage;

    /// <summary>The row of <paramref name="stage"/>, or <see langword="null"/> when the list has none (every line of the stage zero).</summary>
    public StageWaterfall? Find(StageId stage)
    {
        if (rows.Count <= 8)
        {
            foreach (var row in rows)
            {
                if (row.Stage == stage)
                {
                    return row;
                }
            }

            return null;
        }

        // Built by whichever thread looks first; a race builds the same dictionary twice, harmlessly.
        var byStage = _byStage;
        if (byStage is null)
        {
            byStage = new Dictionary<StageId, StageWaterfall>(rows.Count);
            foreach (var row in rows)
            {
                if (row.Stage is { } key)
                {
                    byStage[key] = row;
                }
            }

            _byStage = byStage;
        }

        return byStage.GetValueOrDefault(stage);
    }
}
