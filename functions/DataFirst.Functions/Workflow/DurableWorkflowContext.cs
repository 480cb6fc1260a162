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

    /// <summary>
    /// Core's policy as a Durable retry handler: the same attempts and backoff (a durable timer between
    /// attempts), and no retry for failures retrying cannot fix (bad data, settings, keys); null means no retry.
    /// </summary>
    public static TaskOptions? ToTaskOptions(ActivityRetryPolicy? policy) =>
        policy is null
            ? null
            : TaskOptions.FromRetryHandler(async retry =>
            {
                if (IsPermanent(retry.LastFailure) || retry.LastAttemptNumber >= policy.MaxNumberOfAttempts)
                {
                    return false;
                }

                await retry.OrchestrationContext.CreateTimer(policy.DelayBeforeAttempt(retry.LastAttemptNumber + 1), retry.CancellationToken);
                return true;
            });

    private static bool IsPermanent(TaskFailureDetails failure) =>
        failure.IsCausedBy<PermanentFailureException>()
        || failure.IsCausedBy<DataFirst.Core.Settings.LinkageException>()
        || failure.IsCausedBy<DataFirst.Core.Deidentification.DeidentificationException>();
}
