using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>A filter is a value: equal conditions compare equal and hash alike, whatever collections hold them.</summary>
public sealed class FunnelFilterTests
{
    private static readonly OwnerId Carla = new("carla");

    [Fact]
    public void Filters_WithTheSameConditionsInOtherCollections_AreEqual_AndHashAlike()
    {
        var a = new FunnelFilter
        {
            Owners = new List<OwnerId> { Anna, Boris },
            Attributes = new Dictionary<string, string> { ["region"] = "north", ["source"] = "web" },
            EnteredFrom = T0,
            EnteredTo = T0.AddDays(30),
        };
        var b = new FunnelFilter
        {
            Owners = [Boris, Anna, Boris],
            Attributes = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["source"] = "web", ["region"] = "north" },
            EnteredFrom = T0.ToOffset(TimeSpan.FromHours(2)), // the same instant
            EnteredTo = T0.AddDays(30),
        };

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(FunnelFilter.All, new FunnelFilter());
        Assert.Equal(FunnelFilter.All, new FunnelFilter { Attributes = new Dictionary<string, string>() }); // no pair: no condition, as null
        Assert.Equal(FunnelFilter.All.GetHashCode(), new FunnelFilter { Attributes = new Dictionary<string, string>() }.GetHashCode());
        Assert.Equal(a with { Owners = [Carla] }, b with { Owners = new[] { Carla } });
    }

    [Fact]
    public void Filters_ThatDifferInOneCondition_AreNotEqual()
    {
        var filter = new FunnelFilter { Owners = [Anna], Attributes = new Dictionary<string, string> { ["region"] = "north" }, EnteredFrom = T0, EnteredTo = T0.AddDays(1) };

        Assert.NotEqual(filter, filter with { Owners = [Boris] });
        Assert.NotEqual(filter, filter with { Owners = [Anna, Boris] });
        Assert.NotEqual(filter, filter with { Owners = null }); // every owner
        Assert.NotEqual(filter with { Owners = [] }, filter with { Owners = null }); // no owner is not every owner
        Assert.NotEqual(filter, filter with { Attributes = new Dictionary<string, string> { ["region"] = "North" } }); // ordinal
        Assert.NotEqual(filter, filter with { Attributes = new Dictionary<string, string> { ["Region"] = "north" } });
        Assert.NotEqual(filter, filter with { Attributes = new Dictionary<string, string> { ["region"] = "north", ["source"] = "web" } });
        Assert.NotEqual(filter, filter with { EnteredFrom = T0.AddTicks(1) });
        Assert.NotEqual(filter, filter with { EnteredTo = null });
    }

    [Fact]
    public void Filter_CopiesItsCollections_SoChangingThemLaterChangesNothing()
    {
        var owners = new List<OwnerId> { Anna };
        var attributes = new Dictionary<string, string> { ["region"] = "north" };
        var filter = new FunnelFilter { Owners = owners, Attributes = attributes };
        var hash = filter.GetHashCode();

        owners.Add(Boris);
        attributes["region"] = "south";

        Assert.Equal([Anna], filter.Owners!);
        Assert.Equal("north", filter.Attributes!["region"]);
        Assert.Equal(hash, filter.GetHashCode());
        Assert.Equal(new FunnelFilter { Owners = [Anna], Attributes = new Dictionary<string, string> { ["region"] = "north" } }, filter);
    }

    [Fact]
    public void Filter_KeysACache_AndReadsBackFromJsonEqual()
    {
        var cache = new Dictionary<FunnelFilter, string> { [new FunnelFilter { Owners = [Anna, Boris] }] = "cached" };
        var filter = new FunnelFilter { Owners = [Anna], Attributes = new Dictionary<string, string> { ["source"] = "web" }, EnteredFrom = T0 };
        var info = FunnelMetricsJsonContext.Default.FunnelFilter;

        Assert.Equal("cached", cache[new FunnelFilter { Owners = [Boris, Anna] }]);
        Assert.Equal(filter, JsonSerializer.Deserialize(JsonSerializer.Serialize(filter, info), info));
    }

    [Fact]
    public void Filter_ToString_ListsItsConditions()
    {
        Assert.Equal("all", FunnelFilter.All.ToString());
        Assert.Equal(
            "owners anna, boris; attributes region=north, source=web; entered from 2026-03-02T09:00:00.0000000+00:00",
            new FunnelFilter { Owners = [Anna, Boris], Attributes = new Dictionary<string, string> { ["source"] = "web", ["region"] = "north" }, EnteredFrom = T0 }.ToString());
    }

    [Property]
    public Property Filters_OverTheSameOwnersInAnyOrder_AreEqual_AndHashAlike() =>
        Prop.ForAll(
            Arb.From(Gen.ListOf(Gen.Elements("anna", "boris", "carla", "dan")).Select(l => l.ToArray())),
            Arb.From(Gen.Choose(0, 1000)),
            (names, seed) =>
            {
                var owners = names.Select(n => new OwnerId(n)).ToArray();
                var random = new Random(seed);
                var shuffled = owners.OrderBy(_ => random.Next()).Concat(owners.Take(seed % (owners.Length + 1))).ToArray();
                var (a, b) = (new FunnelFilter { Owners = owners }, new FunnelFilter { Owners = shuffled });

                Assert.Equal(a, b);
                Assert.Equal(a.GetHashCode(), b.GetHashCode());
                Assert.Equal(owners.Distinct().Count() == 4, a == new FunnelFilter { Owners = [new("dan"), new("carla"), new("boris"), Anna] });
            });
}
