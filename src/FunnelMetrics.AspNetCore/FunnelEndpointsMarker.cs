namespace FunnelMetrics.AspNetCore;

/// <summary>Registered by <c>AddFunnelMetricsEndpoints</c>, so <c>MapFunnelMetrics</c> can tell that its services are there.</summary>
internal sealed class FunnelEndpointsMarker;
