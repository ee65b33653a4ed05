namespace FunnelMetrics.Hosting;

/// <summary>How far a pipeline's hosted read model is behind the store, as read by <see cref="FunnelReadModelService.GetLagAsync"/>. Immutable.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="HeadPosition">The position of the pipeline's last visible change in the store.</param>
/// <param name="PublishedPosition">The feed position the model's published snapshot reflects.</param>
/// <param name="Behind">How long the oldest change the model has not published has been seen at the head (zero when it is current): the time the answers are behind, as well as the service observed it.</param>
public sealed record FunnelReadModelLag(PipelineId PipelineId, long HeadPosition, long PublishedPosition, TimeSpan Behind)
{
    /// <summary>
    /// The positions the model is behind the head: head position minus published position, 0 when it is current. Feed
    /// positions are shared by a store's pipelines and may have gaps, so this is at least the number of the pipeline's
    /// changes not yet in the answers, and close to it for a store with one pipeline.
    /// </summary>
    public long EventsBehind => Math.Max(0, HeadPosition - PublishedPosition);
}
