using System.Text.Json;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Workflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DataFirst.Cli.Hosting;

/// <summary>
/// The HTTP surface of the local host, the same as the Functions app's: start a run, query one,
/// list them, terminate one. Status bodies follow Durable Functions' check-status shape.
/// </summary>
internal static class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app, LocalRunService runs)
    {
        app.MapPost("/api/runs", async (HttpRequest http, CancellationToken cancellationToken) =>
        {
            string body;
            using (var reader = new StreamReader(http.Body))
            {
                body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }

            LinkageRunRequest request;
            try
            {
                request = RunRequestParser.Parse(body);
            }
            catch (RunRequestException ex)
            {
                return Results.Json(new { error = ex.Message, path = ex.JsonPath }, statusCode: StatusCodes.Status400BadRequest);
            }

            var id = await runs.StartAsync(request, null, cancellationToken).ConfigureAwait(false);
            var urls = StatusUrls(http, id);
            return Results.Json(urls, statusCode: StatusCodes.Status202Accepted).WithLocation(urls.StatusQueryGetUri);
        });

        app.MapGet("/api/runs", async (CancellationToken cancellationToken) =>
            Results.Json((await runs.Runner.ListAsync(cancellationToken).ConfigureAwait(false)).OrderByDescending(s => s.CreatedUtc).Select(ToStatus)));

        app.MapGet("/api/runs/{id}", async (string id, CancellationToken cancellationToken) =>
            await runs.Runner.GetStatusAsync(id, cancellationToken).ConfigureAwait(false) is { } state
                ? Results.Json(ToStatus(state))
                : Results.Json(new { error = $"no run '{id}'" }, statusCode: StatusCodes.Status404NotFound));

        app.MapPost("/api/runs/{id}/terminate", async (string id, string? reason, CancellationToken cancellationToken) =>
        {
            var state = await runs.Runner.GetStatusAsync(id, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                return Results.Json(new { error = $"no run '{id}'" }, statusCode: StatusCodes.Status404NotFound);
            }

            return await runs.Runner.TerminateAsync(id, reason ?? "terminated over HTTP", cancellationToken).ConfigureAwait(false)
                ? Results.Accepted()
                : Results.Json(new { error = $"run '{id}' has already finished ({state.Status})" }, statusCode: StatusCodes.Status409Conflict);
        });

        return app;
    }

    internal static StatusUrlsBody StatusUrls(HttpRequest http, string id)
    {
        var root = $"{http.Scheme}://{http.Host}/api/runs/{Uri.EscapeDataString(id)}";
        return new StatusUrlsBody(id, root, $"{root}/terminate");
    }

    internal static RunStatusBody ToStatus(WorkflowInstanceState s) =>
        new(s.InstanceId, s.Name, s.Status.ToString(), s.CustomStatus, s.Output, s.Error, s.CreatedUtc, s.UpdatedUtc);

    private static IResult WithLocation(this IResult result, string location) => new LocationResult(result, location);

    internal sealed record StatusUrlsBody(string Id, string StatusQueryGetUri, string TerminatePostUri);

    internal sealed record RunStatusBody(string InstanceId, string Name, string RuntimeStatus, JsonElement? CustomStatus, JsonElement? Output, string? Error, DateTimeOffset CreatedTime, DateTimeOffset LastUpdatedTime);

    private sealed class LocationResult(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
