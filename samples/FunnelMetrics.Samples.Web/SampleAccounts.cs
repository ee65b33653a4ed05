using System.Security.Claims;
using FunnelMetrics.Analytics;
using FunnelMetrics.AspNetCore;
using FunnelMetrics.Samples.Dashboard;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace FunnelMetrics.Samples.Web;

/// <summary>
/// Who is signed in: a sample's sign-in without passwords (a picker of "the head of sales" or one of the managers),
/// kept in an authentication cookie. A real application signs people in its own way; what the funnel needs from it is
/// only the two claims: the role (<see cref="HeadRole"/> or <see cref="ManagerRole"/>) and, for a manager, the owner id
/// (<see cref="OwnerClaim"/>).
/// </summary>
internal static class SampleAccounts
{
    /// <summary>The head of sales: sees and moves the whole team's clients.</summary>
    public const string HeadRole = "head";

    /// <summary>A manager: sees and moves only their own clients.</summary>
    public const string ManagerRole = "manager";

    /// <summary>The claim holding a manager's owner id.</summary>
    public const string OwnerClaim = "funnel_owner";

    /// <summary>The policy every funnel endpoint requires: someone signed in.</summary>
    public const string SignedInPolicy = "signed-in";

    /// <summary>Registers cookie authentication and the policies.</summary>
    /// <param name="services">The services.</param>
    public static void AddTo(IServiceCollection services)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "funnel-sample";
                options.Cookie.SameSite = SameSiteMode.Strict; // with JSON bodies, the sample's protection against cross-site writes
                options.Cookie.HttpOnly = true;
                options.LoginPath = "/";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                // An API call without a session gets 401 (the page sends the browser to the sign-in), not a redirect to HTML.
                options.Events.OnRedirectToLogin = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(SignedInPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(HeadRole, ManagerRole));
    }

    /// <summary>Maps the sign-in, sign-out, "who am I" and the list of people one may sign in as.</summary>
    /// <param name="app">The application.</param>
    public static void Map(IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account");
        account.MapGet("/people", async (FunnelAnalytics analytics, CancellationToken cancellationToken) =>
            TypedResults.Ok(new People(await ManagersAsync(analytics, cancellationToken))));

        account.MapPost("/sign-in", async (HttpContext context, FunnelAnalytics analytics, CancellationToken cancellationToken) =>
        {
            var form = await context.Request.ReadFormAsync(cancellationToken);
            var who = form["as"].ToString();
            ClaimsIdentity identity;
            if (who == HeadRole)
            {
                identity = Identity("Head of sales", HeadRole, null);
            }
            else if ((await ManagersAsync(analytics, cancellationToken)).Contains(who, StringComparer.Ordinal))
            {
                identity = Identity(who, ManagerRole, who);
            }
            else
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown person", detail: $"'as': '{who}' is neither '{HeadRole}' nor one of the managers.");
            }

            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.Redirect(who == HeadRole ? "/head.html" : "/manager.html");
        }).DisableAntiforgery();

        account.MapPost("/sign-out", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/");
        }).DisableAntiforgery();

        account.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new Me(
            user.Identity?.Name ?? "",
            user.IsInRole(HeadRole) ? HeadRole : ManagerRole,
            user.FindFirstValue(OwnerClaim),
            DemoTeam.Pipeline.Id.Value))).RequireAuthorization(SignedInPolicy);
    }

    /// <summary>
    /// What the caller sees and changes, for FunnelMetrics.AspNetCore's access-scope hook: the head of sales the whole
    /// team, a manager their own clients, anyone else nothing (the endpoints require a signed-in head or manager anyway).
    /// </summary>
    /// <param name="user">The caller.</param>
    /// <returns>The scope.</returns>
    public static FunnelAccessScope ScopeOf(ClaimsPrincipal user) =>
        user.IsInRole(HeadRole) ? FunnelAccessScope.Team
        : user.IsInRole(ManagerRole) && user.FindFirstValue(OwnerClaim) is { } owner ? FunnelAccessScope.ForOwner(new OwnerId(owner))
        : FunnelAccessScope.ForOwners([]);

    private static ClaimsIdentity Identity(string name, string role, string? owner)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.Role, role) };
        if (owner is not null)
        {
            claims.Add(new Claim(OwnerClaim, owner));
        }

        return new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>The owners of the stored clients, in order: the managers one may sign in as.</summary>
    private static async Task<List<string>> ManagersAsync(FunnelAnalytics analytics, CancellationToken cancellationToken)
    {
        var log = await analytics.LoadAsync(DemoTeam.Pipeline.Id, cancellationToken);
        return [.. log.Clients.Select(c => c.Owner.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>The people one may sign in as.</summary>
    /// <param name="Managers">The managers' owner ids.</param>
    internal sealed record People(IReadOnlyList<string> Managers);

    /// <summary>Who is signed in.</summary>
    /// <param name="Name">The name shown.</param>
    /// <param name="Role"><see cref="HeadRole"/> or <see cref="ManagerRole"/>.</param>
    /// <param name="Owner">A manager's owner id; null for the head.</param>
    /// <param name="Pipeline">The pipeline the pages show.</param>
    internal sealed record Me(string Name, string Role, string? Owner, string Pipeline);
}
