using Microsoft.Extensions.Logging;

namespace DataFirst.Core.Workflow;

/// <summary>
/// <see cref="IWorkflowContext"/> for the local runner. Each activity call takes the next sequence
/// number; a call whose number is in the history returns the stored result at once (replay),
/// otherwise the activity runs and its result is stored.
/// </summary>
internal sealed class LocalWorkflowContext(
    LocalWorkflowRunner runner,
    string instanceId,
    DateTime startedUtc,
    IReadOnlyDictionary<int, LocalWorkflowRunner.HistoryEvent> history,
    CancellationToken cancellationToken) : IWorkflowContext
{
    private int _next;
    private int _replayed;
    private int _executed;
    private long _currentTicks = startedUtc.Ticks;

    public string InstanceId { get; } = instanceId;

    public DateTime CurrentUtcDateTime => new(Interlocked.Read(ref _currentTicks), DateTimeKind.Utc);

    /// <summary>True while the orchestrator is still inside its recorded history.</summary>
    public bool IsReplaying => Volatile.Read(ref _next) < history.Count && history.ContainsKey(Volatile.Read(ref _next));

    public int Replayed => _replayed;

    public int Executed => _executed;

    public async Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, ActivityRetryPolicy? retryPolicy = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sequence = Interlocked.Increment(ref _next) - 1;
        var inputJson = WorkflowJson.Serialize(input);
        if (history.TryGetValue(sequence, out var recorded))
        {
            if (!string.Equals(recorded.Name, name, StringComparison.Ordinal))
            {
                throw new NonDeterministicWorkflowException(InstanceId, sequence, recorded.Name, name);
            }

            // The same activity with another input (e.g. the orchestrator now calls a fan-out's items in another order):
            // the recorded result belongs to another call, so using it would be a silently wrong answer.
            if (recorded.InputHash is { } hash && !string.Equals(hash, LocalWorkflowRunner.InputHash(inputJson), StringComparison.Ordinal))
            {
                throw new NonDeterministicWorkflowException(InstanceId, sequence, name);
            }

            Interlocked.Increment(ref _replayed);
            Advance(recorded.CompletedUtc);
            return WorkflowJson.Deserialize<TResult>(recorded.ResultJson);
        }

        var json = await runner.RunActivityAsync(InstanceId, sequence, name, inputJson, retryPolicy, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _executed);
        Advance(DateTime.UtcNow);
        return WorkflowJson.Deserialize<TResult>(json);
    }

    public void SetCustomStatus(object? customStatus) => runner.PublishCustomStatus(InstanceId, customStatus);

    public ILogger CreateReplaySafeLogger(string categoryName) => new ReplaySafeLogger(runner.CreateLogger(categoryName), this);

    private void Advance(DateTime timeUtc)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _currentTicks);
            if (timeUtc.Ticks <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _currentTicks, timeUtc.Ticks, current) != current);
    }

    private sealed class ReplaySafeLogger(ILogger inner, IWorkflowContext context) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => !context.IsReplaying && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!context.IsReplaying)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
