using DataFirst.Core.Workflow;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace DataFirst.Functions.Workflow;

/// <summary>
/// Core's <see cref="IWorkflowContext"/> over Durable Functions' <see cref="TaskOrchestrationContext"/>,
/// so that the local runner and Azure execute the same orchestrator. Replay, determinism and the
/// history are Durable's; this type only maps names and the retry policy.
/// </summary>
public sealed class DurableWorkflowContext(TaskOrchestrationContext context) : IWorkflowContext
{
    public string InstanceId => context.InstanceId;

    public DateTime CurrentUtcDateTime => context.CurrentUtcDateTime;

    public bool IsReplaying => context.IsReplaying;

    public Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, ActivityRetryPolicy? retryPolicy = null) =>
        context.CallActivityAsync<TResult>(name, input, ToTaskOptions(retryPolicy));

    public void SetCustomStatus(object? customStatus) => context.SetCustomStatus(customStatus);

    public ILogger CreateReplaySafeLogger(string categoryName) => context.CreateReplaySafeLogger(categoryName);

    /// <summary>Core's policy as Durable's declarative <see cref="RetryPolicy"/>; null means no retry.</summary>
    public static TaskOptions? ToTaskOptions(ActivityRetryPolicy? policy) =>
        policy is null
            ? null
            : TaskOptions.FromRetryPolicy(new RetryPolicy(
                maxNumberOfAttempts: policy.MaxNumberOfAttempts,
                firstRetryInterval: policy.FirstRetryInterval,
                backoffCoefficient: policy.BackoffCoefficient,
                maxRetryInterval: policy.MaxRetryInterval));
}
