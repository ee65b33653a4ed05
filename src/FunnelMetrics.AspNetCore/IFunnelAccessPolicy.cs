using Microsoft.AspNetCore.Http;

namespace FunnelMetrics.AspNetCore;

/// <summary>
/// Says what the caller of a request may see and change (<see cref="FunnelAccessScope"/>). Resolved from the request's
/// services on every request of <c>MapFunnelMetrics</c>, so it may be scoped; register one with
/// <c>services.AddFunnelAccessPolicy(...)</c>. Without one, every caller sees the team: secure the route group with the
/// host's authorization (<c>RequireAuthorization</c>) and scope it here.
/// </summary>
/// <example>
/// A policy from the caller's claims, a head of sales seeing the team and a manager their own clients:
/// <code>
/// services.AddFunnelAccessPolicy((user, pipeline) => user.IsInRole("head")
///     ? FunnelAccessScope.Team
///     : FunnelAccessScope.ForOwner(new OwnerId(user.Identity!.Name!)));
/// </code>
/// </example>
public interface IFunnelAccessPolicy
{
    /// <summary>The caller's scope in a pipeline.</summary>
    /// <param name="httpContext">The request: its <see cref="HttpContext.User"/> is the caller.</param>
    /// <param name="pipelineId">The pipeline of the route.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <returns>The scope.</returns>
    ValueTask<FunnelAccessScope> GetScopeAsync(HttpContext httpContext, PipelineId pipelineId, CancellationToken cancellationToken);
}
