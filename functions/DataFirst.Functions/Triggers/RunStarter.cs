using DataFirst.Core.Pipeline;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace DataFirst.Functions.Triggers;

/// <summary>Starts <see cref="LinkageRunOrchestrator"/> once per instance id.</summary>
public static class RunStarter
{
    /// <summary>
    /// Schedules the run unless an instance with this id exists in any state (Durable would
    /// otherwise restart a completed instance with the same id). Returns false when it existed.
    /// </summary>
    public static async Task<bool> StartOnceAsync(DurableTaskClient client, string instanceId, LinkageRunRequest request, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        await client.ScheduleNewOrchestrationInstanceAsync(LinkageRunOrchestrator.Name, request, new StartOrchestrationOptions(instanceId), cancellationToken).ConfigureAwait(false);
        return true;
    }
}
