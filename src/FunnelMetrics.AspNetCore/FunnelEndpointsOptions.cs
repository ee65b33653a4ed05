namespace FunnelMetrics.AspNetCore;

/// <summary>Settings of the endpoints <c>MapFunnelMetrics</c> maps; set with <c>services.AddFunnelMetricsEndpoints(o => ...)</c>.</summary>
public sealed class FunnelEndpointsOptions
{
    /// <summary>The default of <see cref="DefaultWindow"/>: 30 days.</summary>
    public static readonly TimeSpan DefaultWindowLength = TimeSpan.FromDays(30);

    /// <summary>The default of <see cref="KeepAliveInterval"/>: 15 seconds.</summary>
    public static readonly TimeSpan DefaultKeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The window of a windowed metric (time in stage, conversion, velocity, stuck stages) when the request names no
    /// <c>from</c>: the window ends at <c>to</c> (default now) and is this long.
    /// </summary>
    /// <value>Default: <see cref="DefaultWindowLength"/> (30 days). Positive.</value>
    public TimeSpan DefaultWindow { get; set; } = DefaultWindowLength;

    /// <summary>How often a Server-Sent Events stream with nothing new sends a comment, so proxies keep it open.</summary>
    /// <value>Default: <see cref="DefaultKeepAliveInterval"/> (15 seconds). Positive.</value>
    public TimeSpan KeepAliveInterval { get; set; } = DefaultKeepAliveInterval;
}
