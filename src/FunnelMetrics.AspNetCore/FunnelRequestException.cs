using Microsoft.AspNetCore.Mvc;

namespace FunnelMetrics.AspNetCore;

/// <summary>A request the endpoints refuse before reaching the library: a bad parameter (400), a caller out of scope (403), a body that is not JSON (415), no warm model (503).</summary>
internal sealed class FunnelRequestException(int status, string slug, string title, string detail, string? parameter = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Slug { get; } = slug;

    public string? Parameter { get; } = parameter;

    public Dictionary<string, object?> Extensions { get; } = [];

    /// <summary>A bad parameter: a query parameter, a route value, a header or the body (<paramref name="parameter"/> names it).</summary>
    public static FunnelRequestException BadParameter(string parameter, string detail) =>
        new(400, "invalid-parameter", $"The parameter '{parameter}' is not valid.", detail, parameter);

    /// <summary>A client or owner outside the caller's scope.</summary>
    public static FunnelRequestException OutOfScope(string detail, string? parameter = null) =>
        new(403, "outside-scope", "Outside the caller's scope.", detail, parameter);

    public ProblemDetails ToProblem()
    {
        var problem = FunnelProblems.Problem(Status, Slug, title, Message).With("parameter", Parameter);
        foreach (var (name, value) in Extensions)
        {
            problem.With(name, value);
        }

        return problem;
    }
}
