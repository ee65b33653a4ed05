using FunnelMetrics.Storage;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Storage;

public sealed class BulkValidationTests
{
    private static ClientActivity Activity(string client, long sequence, string? id = null) =>
        new(new ClientEventId(id ?? $"{client}-{sequence}"), new ClientId(client), SalesId, sequence, T0, T0, Anna);

    [Fact]
    public void Appends_TwoPartsForOneClient_OrOneIdInTwoParts_AreRefusedNamingThem()
    {
        var twice = Assert.Throws<ArgumentException>(() => BulkValidation.Appends([new(new ClientId("c1"), 0, [Activity("c1", 1)]), new(new ClientId("c1"), 1, [Activity("c1", 2)])]));
        Assert.Contains("'c1'", twice.Message, StringComparison.Ordinal);

        var shared = Assert.Throws<ArgumentException>(() => BulkValidation.Appends([new(new ClientId("c1"), 0, [Activity("c1", 1, "x")]), new(new ClientId("c2"), 0, [Activity("c2", 1, "x")])]));
        Assert.Contains("'x'", shared.Message, StringComparison.Ordinal);
        Assert.Contains("'c2'", shared.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamAppend_ChecksItsBatch_AsTheSingleAppendDoes()
    {
        Assert.Throws<ArgumentException>(() => new StreamAppend(new ClientId("c1"), 0, []));
        Assert.Throws<ArgumentException>(() => new StreamAppend(new ClientId("c1"), 1, [Activity("c1", 1)]));
        Assert.Throws<ArgumentException>(() => new StreamAppend(new ClientId("c1"), 0, [Activity("c2", 1)]));
        var part = new StreamAppend(new ClientId("c1"), 2, [Activity("c1", 3), Activity("c1", 4)]);
        Assert.Equal((SalesId, 4L), (part.PipelineId, StreamAppendResult.Stored(part).NewVersion!.Value));
    }

    [Fact]
    public void Clients_Twice_AreRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => BulkValidation.Clients([NewClient("c1"), NewClient("c1")]));
        Assert.Contains("'c1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FeedQuery_AndChange_RefuseImpossiblePositions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChangeFeedQuery { After = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChangeFeedQuery { Limit = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FunnelChange(0, NewClient("c1")));
        var change = new FunnelChange(7, Activity("c1", 1));
        Assert.Equal((new ClientId("c1"), SalesId), (change.ClientId, change.PipelineId));
        Assert.Equal(change, new FunnelChange(7, Activity("c1", 1)));
        Assert.NotEqual(change, new FunnelChange(8, Activity("c1", 1)));
    }
}
