using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Model;

public sealed class TimeWindowTests
{
    [Fact]
    public void Window_HoldsItsStart_AndNotItsEnd()
    {
        var window = new TimeWindow(T0, T0.AddDays(1));

        Assert.True(window.Contains(T0));
        Assert.True(window.Contains(T0.AddDays(1).AddTicks(-1)));
        Assert.False(window.Contains(T0.AddDays(1)));
        Assert.False(window.Contains(T0.AddTicks(-1)));
        Assert.Equal(TimeSpan.FromDays(1), window.Duration);
        Assert.False(window.IsEmpty);
    }

    [Fact]
    public void Window_WithItsEndBeforeItsStart_ThrowsNamingTheEnd()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TimeWindow(T0, T0.AddTicks(-1)));

        Assert.Equal("end", ex.ParamName);
        Assert.Contains("equal to or later than its start", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyWindow_HoldsNoInstant_NotEvenItsStart()
    {
        var empty = new TimeWindow(T0, T0);

        Assert.True(empty.IsEmpty);
        Assert.False(empty.Contains(T0));
        Assert.Equal(TimeSpan.Zero, empty.Duration);
        Assert.True(default(TimeWindow).IsEmpty);
    }

    [Fact]
    public void Factories_BuildTheWindowsTheyName()
    {
        Assert.Equal(new TimeWindow(T0.AddDays(-30), T0), TimeWindow.Ending(T0, TimeSpan.FromDays(30)));
        Assert.Equal(new TimeWindow(T0, T0.AddDays(30)), TimeWindow.Starting(T0, TimeSpan.FromDays(30)));
        Assert.Equal(new TimeWindow(DateTimeOffset.MinValue, T0), TimeWindow.Until(T0));
        Assert.True(TimeWindow.Until(T0).IsOpenStart);
        Assert.False(TimeWindow.Ending(T0, TimeSpan.FromDays(1)).IsOpenStart);
        Assert.Equal(new TimeWindow(T0.AddDays(-60), T0.AddDays(-30)), TimeWindow.Ending(T0, TimeSpan.FromDays(30)).Previous);
    }

    [Fact]
    public void Factories_OutOfRange_ThrowNamingTheDuration()
    {
        Assert.Equal("duration", Assert.Throws<ArgumentOutOfRangeException>(() => TimeWindow.Ending(T0, TimeSpan.FromTicks(-1))).ParamName);
        Assert.Equal("duration", Assert.Throws<ArgumentOutOfRangeException>(() => TimeWindow.Starting(T0, TimeSpan.FromTicks(-1))).ParamName);
        Assert.Equal("duration", Assert.Throws<ArgumentOutOfRangeException>(() => TimeWindow.Ending(DateTimeOffset.MinValue.AddDays(1), TimeSpan.FromDays(2))).ParamName);
        Assert.Equal("duration", Assert.Throws<ArgumentOutOfRangeException>(() => TimeWindow.Starting(DateTimeOffset.MaxValue.AddDays(-1), TimeSpan.FromDays(2))).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeWindow.Until(T0).Previous);
    }

    [Fact]
    public void Equality_ComparesInstants_NotOffsets()
    {
        var utc = new TimeWindow(T0, T0.AddHours(1));
        var sofia = new TimeWindow(T0.ToOffset(TimeSpan.FromHours(2)), T0.AddHours(1).ToOffset(TimeSpan.FromHours(2)));

        Assert.Equal(utc, sofia);
        Assert.True(utc == sofia);
        Assert.False(utc != sofia);
        Assert.Equal(utc.GetHashCode(), sofia.GetHashCode());
        Assert.NotEqual(utc, new TimeWindow(T0, T0.AddHours(2)));
        Assert.False(utc.Equals((object)"[x, y)"));
    }

    [Fact]
    public void ToString_ShowsTheHalfOpenInterval()
    {
        Assert.Equal("[2026-03-02T09:00:00.0000000+00:00, 2026-03-03T09:00:00.0000000+00:00)", TimeWindow.Starting(T0, TimeSpan.FromDays(1)).ToString());
    }
}
