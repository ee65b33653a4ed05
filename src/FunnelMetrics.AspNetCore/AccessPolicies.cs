using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace FunnelMetrics.AspNetCore;

/// <summary>The default policy: every caller sees the team (the host's authorization decides who calls at all).</summary>
internal sealed class TeamAccessPolicy : IFunnelAccessPolicy
{
    public ValueTask<FunnelAccessScope> GetScopeAsync(HttpContext httpContext, PipelineId pipelineId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FunnelAccessScope.Team);
}

/// <summary>A policy from a function of the caller's <see cref="ClaimsPrincipal"/> and the pipeline.</summary>
internal sealed class ClaimsAccessPolicy(Func<ClaimsPrincipal, PipelineId, FunnelAccessScope> scope) : IFunnelAccessPolicy
{
    public ValueTask<FunnelAccessScope> GetScopeAsync(HttpContext httpContext, PipelineId pipelineId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(scope(httpContext.User, pipelineId) ?? throw new InvalidOperationException($"The access policy returned no scope for pipeline '{pipelineId}'; return FunnelAccessScope.Team or FunnelAccessScope.ForOwners(...)."));
}
