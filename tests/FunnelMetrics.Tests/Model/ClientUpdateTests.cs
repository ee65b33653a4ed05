using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Model;

public sealed class ClientUpdateTests
{
    private static readonly ClientId C1 = new("c1");

    private static ClientUpdate Update(bool setsValue = false, decimal? value = null, bool setsDate = false, DateOnly? date = null, Dictionary<string, string?>? attributes = null, long sequence = 1, string id = "u1") =>
        new(new ClientEventId(id), C1, SalesId, sequence, T0.AddDays(1), T0.AddDays(1), Anna, setsValue, value, setsDate, date, attributes);

    private static Client Record() =>
        new(C1, SalesId, Anna, T0, 1000m, new Dictionary<string, string> { ["source"] = "web", ["region"] = "north" }, new DateOnly(2026, 6, 30));

    [Fact]
    public void Apply_SetsWhatTheUpdateSets_AndKeepsTheRest()
    {
        var client = Record();

        var valued = client.Apply(Update(setsValue: true, value: 1500m));
        Assert.Equal(1500m, valued.Value);
        Assert.Equal(new DateOnly(2026, 6, 30), valued.ExpectedCloseDate);
        Assert.Equal(client.Attributes, valued.Attributes);
        Assert.Equal((client.Id, client.PipelineId, client.Owner, client.CreatedAt), (valued.Id, valued.PipelineId, valued.Owner, valued.CreatedAt));

        var cleared = client.Apply(Update(setsValue: true, value: null, setsDate: true, date: null));
        Assert.Null(cleared.Value);
        Assert.Null(cleared.ExpectedCloseDate);

        var attributes = client.Apply(Update(attributes: new() { ["region"] = null, ["segment"] = "smb", ["source"] = "fair" }));
        Assert.Equal(1000m, attributes.Value);
        Assert.Equal(new Dictionary<string, string> { ["source"] = "fair", ["segment"] = "smb" }, attributes.Attributes);

        // The record itself is unchanged.
        Assert.Equal(Record(), client);
    }

    [Fact]
    public void Apply_OfAnotherClientsUpdate_Throws()
    {
        var other = new ClientUpdate(new ClientEventId("u9"), new ClientId("c2"), SalesId, 1, T0, T0, Anna, true, 5m, false, null, null);

        var ex = Assert.Throws<ArgumentException>(() => Record().Apply(other));

        Assert.Contains("'c2'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'c1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_BeyondTheAttributeLimit_KeepsEveryAttribute_SoAFoldOfStoredUpdatesNeverFails()
    {
        // The recorder records an update without reading the client's earlier ones (O(1) in the history), so it cannot
        // refuse the 65th key: the 64 bound is on a record and on each update, and the fold keeps what they say.
        var many = Enumerable.Range(0, 64).ToDictionary(i => $"k{i}", i => "v", StringComparer.Ordinal);
        var full = new Client(C1, SalesId, Anna, T0, attributes: many);

        var beyond = full.Apply(Update(attributes: new() { ["one-more"] = "v" }));

        Assert.Equal(65, beyond.Attributes.Count);
        Assert.Equal("v", beyond.Attributes["one-more"]);
        Assert.Equal(64, full.Apply(Update(attributes: new() { ["k0"] = null, ["one-more"] = "v" })).Attributes.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => Update(attributes: Enumerable.Range(0, 65).ToDictionary(i => $"k{i}", i => (string?)"v", StringComparer.Ordinal)));
    }

    [Fact]
    public void Update_ThatChangesNothing_OrCarriesAnUnsetValue_IsRefused()
    {
        Assert.Contains("changes nothing", Assert.Throws<ArgumentException>(() => Update()).Message, StringComparison.Ordinal);
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => Update(value: 5m, attributes: new() { ["a"] = "b" })).ParamName);
        Assert.Equal("expectedCloseDate", Assert.Throws<ArgumentException>(() => Update(date: new DateOnly(2026, 1, 1), setsValue: true)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => Update(setsValue: true, value: -1m)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => Update(setsValue: true, value: Client.MaxValue + 1)).ParamName);
    }

    [Theory]
    [InlineData(" padded")]
    [InlineData("")]
    [InlineData("bidi\u202E")]
    public void Update_WithABadAttributeKey_IsRefusedNamingTheClient(string key)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => Update(attributes: new() { [key] = "v" }));

        Assert.Equal("attributes", ex.ParamName);
        Assert.Contains("'c1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Update_WithABadAttributeValue_IsRefused_ButNullRemoves()
    {
        Assert.Equal("attributes", Assert.ThrowsAny<ArgumentException>(() => Update(attributes: new() { ["k"] = new string('x', 1001) })).ParamName);
        Assert.Equal("attributes", Assert.ThrowsAny<ArgumentException>(() => Update(attributes: new() { ["k"] = "nul\0" })).ParamName);
        Assert.Null(Update(attributes: new() { ["k"] = null }).Attributes["k"]);
    }

    [Fact]
    public void Updates_AreEqualByValue_AttributesInAnyOrder()
    {
        var a = Update(setsValue: true, value: 1m, attributes: new() { ["x"] = "1", ["y"] = null });
        var b = Update(setsValue: true, value: 1m, attributes: new() { ["y"] = null, ["x"] = "1" });

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, Update(setsValue: true, value: 1m, attributes: new() { ["x"] = "1", ["y"] = "0" }));
        Assert.NotEqual(Update(setsValue: true, value: null), Update(setsDate: true, date: null));
        Assert.Contains("value 1", a.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ClientsDifferingOnlyInTheExpectedCloseDate_AreNotEqual()
    {
        Assert.NotEqual(Record(), new Client(C1, SalesId, Anna, T0, 1000m, Record().Attributes, new DateOnly(2026, 7, 1)));
    }

    [Fact]
    public void StateBefore_TheFirstEvent_TakesItsOwner_OrThePreviousOwnerOfAReassignment()
    {
        var activity = new ClientActivity(new ClientEventId("a1"), C1, SalesId, 1, T0, T0, Boris);
        var reassignment = new OwnerReassignment(new ClientEventId("r1"), C1, SalesId, 1, T0, T0, Boris, Anna);

        Assert.Equal(Boris, ClientState.Before(activity).Owner);
        Assert.Equal(Anna, ClientState.Before(reassignment).Owner);
        Assert.Equal(Boris, ClientState.Before(reassignment).Apply(reassignment).Owner);
        Assert.Equal(0, ClientState.Before(activity).Version);
        Assert.Equal(ClientState.Initial(NewClient("c1", T0, Boris)), ClientState.Before(activity));
        Assert.Throws<ArgumentException>(() => ClientState.Before(new ClientActivity(new ClientEventId("a2"), C1, SalesId, 2, T0, T0, Boris)));
    }

    [Fact]
    public void AnUpdate_ChangesNeitherStageNorOwnerNorTheLastTouch()
    {
        var entered = new StageTransition(new ClientEventId("e1"), C1, SalesId, 1, TransitionKind.Entered, null, DecisionMaker, T0, T0, Anna);
        var state = ClientState.Before(entered).Apply(entered);

        var updated = state.Apply(Update(setsValue: true, value: 5m, sequence: 2));

        Assert.Equal((state.Status, state.Stage, state.Owner, state.StageEnteredAt, state.LastTouchedAt), (updated.Status, updated.Stage, updated.Owner, updated.StageEnteredAt, updated.LastTouchedAt));
        Assert.Equal((2L, T0.AddDays(1)), (updated.Version, updated.LastEventAt!.Value));
    }
}
