using Microsoft.Extensions.Logging;

namespace DataFirst.Core.Workflow;

/// <summary>
/// What an orchestrator may touch. Orchestrators follow Durable Functions' rules: no I/O, no
/// clock but <see cref="CurrentUtcDateTime"/>, no GUIDs, no Task.Run, no environment reads;
/// configuration and seeds come in the input. Executed by the local runner
/// (<c>LocalWorkflowRunner</c>) and, in Azure, by a thin adapter over Durable Functions'
/// <c>TaskOrchestrationContext</c>.
/// </summary>
public interface IWorkflowContext
{
    string InstanceId { get; }

    /// <summary>Replay-safe current time (the time the orchestration step first ran).</summary>
    DateTime CurrentUtcDateTime { get; }

    bool IsReplaying { get; }

    /// <summary>Schedules an activity by name and awaits its result.</summary>
    Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, ActivityRetryPolicy? retryPolicy = null);

    /// <summary>Progress visible to status queries, e.g. <c>{ stage: "scoring", done: 37, total: 128 }</c>.</summary>
    void SetCustomStatus(object? customStatus);

    /// <summary>A logger that writes only when not replaying.</summary>
    ILogger CreateReplaySafeLogger(string categoryName);
}

/// <summary>Retry with exponential backoff for transient activity failures.</summary>
public sealed record ActivityRetryPolicy(int MaxNumberOfAttempts, TimeSpan FirstRetryInterval, double BackoffCoefficient = 2.0, TimeSpan? MaxRetryInterval = null)
{
    /// <summary>Which failures to retry; null retries every failure but <see cref="IPermanentFailure"/>s.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Func<Exception, bool>? Handle { get; init; }

    public TimeSpan DelayBeforeAttempt(int attempt)
    {
        // attempt is 2 for the first retry.
        var factor = Math.Pow(BackoffCoefficient, Math.Max(0, attempt - 2));
        var delay = TimeSpan.FromTicks((long)(FirstRetryInterval.Ticks * factor));
        return MaxRetryInterval is { } max && delay > max ? max : delay;
    }
}
