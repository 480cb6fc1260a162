using System.Net;
using DataFirst.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace DataFirst.Functions.Triggers;

/// <summary>
/// POST /api/runs starts a run (body: a run request, see docs/pipeline.md) and answers 202 with
/// Durable's check-status payload; GET /api/runs lists runs; GET /api/runs/{instanceId} reports
/// status; POST /api/runs/{instanceId}/terminate stops one. The local host (`datafirst serve`)
/// serves the same routes. Function-level keys.
/// </summary>
public sealed partial class RunHttpFunctions(ILogger<RunHttpFunctions> logger)
{
    [Function(nameof(StartRun))]
    public async Task<HttpResponseData> StartRun(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs")] HttpRequestData request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        LinkageRunRequest run;
        try { run = RunRequestParser.Parse(await request.ReadAsStringAsync().ConfigureAwait(false) ?? string.Empty); }
        catch (RunRequestException ex) { return await ProblemAsync(request, HttpStatusCode.BadRequest, ex.JsonPath, ex.Message, cancellationToken).ConfigureAwait(false); }
        var instanceId = RunInstanceIds.ForManualRun(run.Share, DateTimeOffset.UtcNow);
        await RunStarter.StartOnceAsync(client, instanceId, run, cancellationToken).ConfigureAwait(false);
        Log.RunStarted(logger, instanceId, run.Share, "http");
        return await client.CreateCheckStatusResponseAsync(request, instanceId, cancellationToken).ConfigureAwait(false);
    }

    [Function(nameof(GetRunStatus))]
    public async Task<HttpResponseData> GetRunStatus(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{instanceId}")] HttpRequestData request,
        string instanceId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (instance is null) { return await ProblemAsync(request, HttpStatusCode.NotFound, "instanceId", $"no run '{instanceId}'", cancellationToken).ConfigureAwait(false); }
        var response = request.CreateResponse(HttpStatusCode.OK);
        await response.WriteAsJsonAsync(RunStatusView.From(instance), cancellationToken).ConfigureAwait(false);
        return response;
    }

    [Function(nameof(ListRuns))]
    public async Task<HttpResponseData> ListRuns(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs")] HttpRequestData request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var runs = new List<RunStatusView>();
        await foreach (var instance in client.GetAllInstancesAsync(new OrchestrationQuery { FetchInputsAndOutputs = true }).WithCancellation(cancellationToken).ConfigureAwait(false)) { runs.Add(RunStatusView.From(instance)); }
        var response = request.CreateResponse(HttpStatusCode.OK);
        await response.WriteAsJsonAsync(runs.OrderByDescending(r => r.CreatedAt), cancellationToken).ConfigureAwait(false);
        return response;
    }

    [Function(nameof(TerminateRun))]
    public async Task<HttpResponseData> TerminateRun(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{instanceId}/terminate")] HttpRequestData request,
        string instanceId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (instance is null) { return await ProblemAsync(request, HttpStatusCode.NotFound, "instanceId", $"no run '{instanceId}'", cancellationToken).ConfigureAwait(false); }
        if (!instance.IsRunning) { return await ProblemAsync(request, HttpStatusCode.Conflict, "instanceId", $"run '{instanceId}' has already finished ({instance.RuntimeStatus})", cancellationToken).ConfigureAwait(false); }
        await client.TerminateInstanceAsync(instanceId, "terminated over HTTP", cancellationToken).ConfigureAwait(false);
        return request.CreateResponse(HttpStatusCode.Accepted);
    }

    private static async Task<HttpResponseData> ProblemAsync(HttpRequestData request, HttpStatusCode status, string path, string detail, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse();
        await response.WriteAsJsonAsync(new { error = detail, path }, status, cancellationToken).ConfigureAwait(false);
        return response;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Scheduled run {InstanceId} for share {Share} from {Source}")]
        public static partial void RunStarted(ILogger logger, string instanceId, string share, string source);
    }
}
