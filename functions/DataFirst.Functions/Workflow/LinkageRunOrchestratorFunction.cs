using DataFirst.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace DataFirst.Functions.Workflow;

/// <summary>The Durable orchestrator: Core's orchestrator over the Durable context. No logic here.</summary>
public static class LinkageRunOrchestratorFunction
{
    [Function(LinkageRunOrchestrator.Name)]
    public static Task<LinkageRunResult> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<LinkageRunRequest>()
            ?? throw new InvalidOperationException($"Orchestration {context.InstanceId} has no input: start it with a LinkageRunRequest (POST /api/runs or extracts/{{share}}/_run.json).");
        return LinkageRunOrchestrator.RunAsync(new DurableWorkflowContext(context), request);
    }
}
