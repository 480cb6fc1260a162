using DataFirst.Core.Pipeline;
using DataFirst.Core.Workflow;

namespace DataFirst.Cli.Hosting;

/// <summary>Starts linkage runs on the local durable runner (for the HTTP API, the watcher and `run`).</summary>
internal sealed class LocalRunService(LocalWorkflowRunner runner, TimeProvider clock) : IRunStarter
{
    public LocalWorkflowRunner Runner { get; } = runner;

    public async Task<string> StartAsync(LinkageRunRequest request, string? instanceId, CancellationToken cancellationToken)
    {
        var id = instanceId ?? RunInstanceIds.ForManualRun(request.Share, clock.GetUtcNow());
        await Runner.ScheduleAsync(LinkageRunOrchestrator.Name, request, id, cancellationToken).ConfigureAwait(false);
        return id;
    }

    Task IRunStarter.StartAsync(LinkageRunRequest request, string instanceId, CancellationToken cancellationToken) =>
        StartAsync(request, instanceId, cancellationToken);

    /// <summary>Instances a stopped process left unfinished: resumed from their history.</summary>
    public async Task<int> ResumeUnfinishedAsync(CancellationToken cancellationToken)
    {
        var ids = await Runner.FindUnfinishedAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in ids)
        {
            _ = Task.Run(() => Runner.RunAsync(id, CancellationToken.None), CancellationToken.None);
        }

        return ids.Count;
    }
}
