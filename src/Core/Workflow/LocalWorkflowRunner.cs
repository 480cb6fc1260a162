using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using DataFirst.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataFirst.Core.Workflow;

public sealed record LocalWorkflowOptions
{
    public const string InstancesTable = "WorkflowInstances";
    public const string HistoryTable = "WorkflowHistory";

    /// <summary>Container for activity results too large for a table property.</summary>
    public string LargeResultContainer { get; init; } = "working";

    /// <summary>Results longer than this (characters of JSON) are stored as blobs.</summary>
    public int InlineResultLimit { get; init; } = 30_000;

    /// <summary>Activities running at once; defaults to the number of cores.</summary>
    public int MaxParallelActivities { get; init; } = Environment.ProcessorCount;

    /// <summary>Retry applied to every activity call that names none.</summary>
    public ActivityRetryPolicy DefaultRetry { get; init; } = new(3, TimeSpan.FromMilliseconds(200));
}

/// <summary>Counts of one execution of an instance: how much came from history, how much ran.</summary>
public sealed record WorkflowExecutionStats(int Replayed, int Executed);

/// <summary>
/// Runs orchestrators on this machine with the Durable Functions contract: activities run in
/// parallel (bounded by cores), each completed activity's result is persisted (table store,
/// large results as blobs) keyed by instance id and call sequence, and restarting an instance
/// replays the orchestrator over the stored results, so no completed activity runs again.
/// </summary>
public sealed partial class LocalWorkflowRunner
{
    private const string InstancesPartition = "instances";
    private readonly ITableStore _tables;
    private readonly IBlobStore _blobs;
    private readonly ActivityRegistry _activities;
    private readonly OrchestratorRegistry _orchestrators;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly LocalWorkflowOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, RunningInstance> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _initialised = new(1, 1);
    private bool _ready;

    public LocalWorkflowRunner(ITableStore tables, IBlobStore blobs, ActivityRegistry activities, OrchestratorRegistry orchestrators, ILoggerFactory loggerFactory, LocalWorkflowOptions? options = null)
    {
        _tables = tables;
        _blobs = blobs;
        _activities = activities;
        _orchestrators = orchestrators;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LocalWorkflowRunner>();
        _options = options ?? new LocalWorkflowOptions();
        _slots = new SemaphoreSlim(Math.Max(1, _options.MaxParallelActivities));
    }

    /// <summary>Raised whenever an instance's custom status changes (for progress displays).</summary>
    public event Action<string, object?>? CustomStatusChanged;

    /// <summary>
    /// Records a new instance as Pending (or finds an existing one with that id) without running it.
    /// Returns false when an instance with that id already existed.
    /// </summary>
    public async Task<bool> CreateInstanceAsync(string orchestratorName, string instanceId, object input, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        _orchestrators.Get(orchestratorName);
        var now = DateTimeOffset.UtcNow;
        var entity = new TableEntity(InstancesPartition, instanceId)
        {
            Properties = new Dictionary<string, object?>
            {
                ["Name"] = orchestratorName,
                ["Status"] = nameof(WorkflowStatus.Pending),
                ["Input"] = WorkflowJson.Serialize(input),
                ["CreatedUtc"] = now.ToString("O", CultureInfo.InvariantCulture),
                ["UpdatedUtc"] = now.ToString("O", CultureInfo.InvariantCulture),
            },
        };
        try
        {
            await _tables.AddAsync(LocalWorkflowOptions.InstancesTable, entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.Conflict)
        {
            return false;
        }
    }

    /// <summary>Starts (or resumes) the instance in the background; returns at once.</summary>
    public async Task<string> ScheduleAsync(string orchestratorName, object input, string instanceId, CancellationToken cancellationToken = default)
    {
        await CreateInstanceAsync(orchestratorName, instanceId, input, cancellationToken).ConfigureAwait(false);
        _ = Task.Run(() => RunAsync(instanceId, CancellationToken.None), CancellationToken.None);
        return instanceId;
    }

    /// <summary>
    /// Runs the instance to its end, replaying completed activities from history. A finished
    /// Completed instance is returned as it is; a Failed or Terminated one is run again from its
    /// history (completed activities are not repeated).
    /// </summary>
    public async Task<(WorkflowInstanceState State, WorkflowExecutionStats Stats)> RunAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var state = await GetStatusAsync(instanceId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No workflow instance '{instanceId}'.");
        if (state.Status == WorkflowStatus.Completed)
        {
            return (state, new WorkflowExecutionStats(0, 0));
        }

        var running = new RunningInstance(CancellationTokenSource.CreateLinkedTokenSource(cancellationToken));
        if (!_running.TryAdd(instanceId, running))
        {
            throw new InvalidOperationException($"Workflow instance '{instanceId}' is already running in this process.");
        }

        try
        {
            return await ExecuteAsync(state, running, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(instanceId, out _);
            running.Cancellation.Dispose();
        }
    }

    public async Task<WorkflowInstanceState?> GetStatusAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var entity = await _tables.GetAsync(LocalWorkflowOptions.InstancesTable, InstancesPartition, instanceId, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : ToState(entity);
    }

    public async Task<IReadOnlyList<WorkflowInstanceState>> ListAsync(CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<WorkflowInstanceState>();
        string? token = null;
        do
        {
            var page = await _tables.QueryAsync(LocalWorkflowOptions.InstancesTable, InstancesPartition, null, token, null, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Items.Select(ToState));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return result;
    }

    /// <summary>Stops a running instance; it ends Terminated. False when it was already finished.</summary>
    public async Task<bool> TerminateAsync(string instanceId, string reason, CancellationToken cancellationToken = default)
    {
        var state = await GetStatusAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (state is null || state.IsFinished)
        {
            return false;
        }

        if (_running.TryGetValue(instanceId, out var running))
        {
            running.TerminationReason = reason;
            await running.Cancellation.CancelAsync().ConfigureAwait(false);
        }
        else
        {
            await SetStatusAsync(instanceId, WorkflowStatus.Terminated, null, $"terminated: {reason}", cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Polls until the instance is finished.</summary>
    public async Task<WorkflowInstanceState> WaitForCompletionAsync(string instanceId, TimeSpan pollInterval, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var state = await GetStatusAsync(instanceId, cancellationToken).ConfigureAwait(false);
            if (state is { IsFinished: true })
            {
                return state;
            }

            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Instances left Pending or Running by a process that stopped: resumed by a host at start-up.</summary>
    public async Task<IReadOnlyList<string>> FindUnfinishedAsync(CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(s => s.Status is WorkflowStatus.Pending or WorkflowStatus.Running && !_running.ContainsKey(s.InstanceId))
            .Select(s => s.InstanceId)
            .ToList();

    private async Task<(WorkflowInstanceState, WorkflowExecutionStats)> ExecuteAsync(WorkflowInstanceState state, RunningInstance running, CancellationToken callerToken)
    {
        var history = await LoadHistoryAsync(state.InstanceId, running.Cancellation.Token).ConfigureAwait(false);
        var context = new LocalWorkflowContext(this, state.InstanceId, state.CreatedUtc.UtcDateTime, history, running.Cancellation.Token);
        var orchestrator = _orchestrators.Get(state.Name);
        await SetStatusAsync(state.InstanceId, WorkflowStatus.Running, null, null, running.Cancellation.Token).ConfigureAwait(false);
        Log.InstanceStarted(_logger, state.InstanceId, state.Name, history.Count);
        try
        {
            var output = await orchestrator(context, state.Input?.GetRawText() ?? "null").ConfigureAwait(false);
            await SetStatusAsync(state.InstanceId, WorkflowStatus.Completed, output, null, CancellationToken.None).ConfigureAwait(false);
            Log.InstanceCompleted(_logger, state.InstanceId, context.Replayed, context.Executed);
        }
        catch (OperationCanceledException) when (running.Cancellation.IsCancellationRequested && !callerToken.IsCancellationRequested)
        {
            await SetStatusAsync(state.InstanceId, WorkflowStatus.Terminated, null, $"terminated: {running.TerminationReason ?? "requested"}", CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (callerToken.IsCancellationRequested)
        {
            // The host is stopping: the instance stays Running and resumes from its history next time.
            throw;
        }
        catch (Exception ex)
        {
            var error = ex is ActivityFailedException or NonDeterministicWorkflowException ? ex.Message : $"orchestrator {state.Name} failed: {ex.Message}";
            await SetStatusAsync(state.InstanceId, WorkflowStatus.Failed, null, error, CancellationToken.None).ConfigureAwait(false);
            Log.InstanceFailed(_logger, state.InstanceId, ex.GetType().Name);
        }

        var final = (await GetStatusAsync(state.InstanceId, CancellationToken.None).ConfigureAwait(false))!;
        return (final, new WorkflowExecutionStats(context.Replayed, context.Executed));
    }

    internal async Task<string> RunActivityAsync(string instanceId, int sequence, string name, string inputJson, ActivityRetryPolicy? retry, CancellationToken cancellationToken)
    {
        var run = _activities.Get(name);
        var policy = retry ?? _options.DefaultRetry;
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();

                    // On the thread pool, never on the caller's thread: an activity runs synchronously up to its first
                    // await that does not complete at once (all of an ingest activity's CSV loop, say), and on the
                    // caller's thread that would hold up the orchestrator's next call, so a fan-out ran one at a time.
                    var result = await Task.Run(() => run(inputJson, cancellationToken), cancellationToken).ConfigureAwait(false);
                    await SaveHistoryAsync(instanceId, sequence, name, inputJson, result, cancellationToken).ConfigureAwait(false);
                    Log.ActivityCompleted(_logger, instanceId, name, sequence, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    return result;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var permanent = ex is IPermanentFailure || (policy.Handle is { } handle && !handle(ex));
                    if (permanent || attempt >= policy.MaxNumberOfAttempts)
                    {
                        Log.ActivityFailed(_logger, instanceId, name, sequence, attempt, ex.GetType().Name);
                        throw new ActivityFailedException(name, sequence, ex is OutOfMemoryException ? OutOfMemory() : ex.Message, ex);
                    }

                    Log.ActivityRetrying(_logger, instanceId, name, sequence, attempt, ex.GetType().Name);
                    await Task.Delay(policy.DelayBeforeAttempt(attempt + 1), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>What an activity that ran out of memory fails with. The runtime's own message names only the exception's
    /// type; this says how much the process may use, how many activities share it, and what to change.</summary>
    private string OutOfMemory()
    {
        var limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"out of memory: this process may use {limit / 1048576.0:N0} MiB (the machine's memory, a container's limit or DOTNET_GCHeapHardLimit) and runs up to {_options.MaxParallelActivities} activities at once; the estimation activity holds every record of the run, the clustering activity every record's id, a blocking activity the key columns of every record and one dataset whole, an ingest activity its extract's ids, and a share writer its dataset's person ids. Run fewer activities at once (--parallel-activities) or give the process more memory, then resume the run.");
    }

    internal void PublishCustomStatus(string instanceId, object? status)
    {
        CustomStatusChanged?.Invoke(instanceId, status);
        var json = WorkflowJson.Serialize(status);
        var entity = new TableEntity(InstancesPartition, instanceId)
        {
            Properties = new Dictionary<string, object?>
            {
                ["CustomStatus"] = json,
                ["UpdatedUtc"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            },
        };

        // Progress is best effort: a lost update is replaced by the next one.
        _ = _tables.UpsertAsync(LocalWorkflowOptions.InstancesTable, entity, TableUpdateMode.Merge).ContinueWith(
            t => Log.StatusWriteFailed(_logger, instanceId, t.Exception?.GetBaseException().GetType().Name ?? "unknown"),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    internal ILogger CreateLogger(string category) => _loggerFactory.CreateLogger(category);

    private async Task SaveHistoryAsync(string instanceId, int sequence, string name, string inputJson, string result, CancellationToken cancellationToken)
    {
        var properties = new Dictionary<string, object?>
        {
            ["Name"] = name,
            ["InputHash"] = InputHash(inputJson),
            ["CompletedUtc"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        if (result.Length > _options.InlineResultLimit)
        {
            var blob = BlobNames.Combine("_workflow", instanceId, $"{sequence:D8}.json");
            await _blobs.CreateContainerIfNotExistsAsync(_options.LargeResultContainer, cancellationToken).ConfigureAwait(false);
            await _blobs.UploadBytesAsync(_options.LargeResultContainer, blob, Encoding.UTF8.GetBytes(result), null, cancellationToken).ConfigureAwait(false);
            properties["ResultBlob"] = blob;
        }
        else
        {
            properties["Result"] = result;
        }

        await _tables.UpsertAsync(LocalWorkflowOptions.HistoryTable, new TableEntity(instanceId, SequenceKey(sequence)) { Properties = properties }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Dictionary<int, HistoryEvent>> LoadHistoryAsync(string instanceId, CancellationToken cancellationToken)
    {
        var history = new Dictionary<int, HistoryEvent>();
        string? token = null;
        do
        {
            var page = await _tables.QueryAsync(LocalWorkflowOptions.HistoryTable, instanceId, null, token, null, cancellationToken).ConfigureAwait(false);
            foreach (var e in page.Items)
            {
                var result = e.GetString("Result");
                if (result is null && e.GetString("ResultBlob") is { } blob)
                {
                    result = Encoding.UTF8.GetString(await _blobs.DownloadBytesAsync(_options.LargeResultContainer, blob, cancellationToken).ConfigureAwait(false));
                }

                var completed = DateTimeOffset.Parse(e.GetString("CompletedUtc")!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
                history[int.Parse(e.RowKey, CultureInfo.InvariantCulture)] = new HistoryEvent(e.GetString("Name")!, result ?? "null", completed.UtcDateTime, e.GetString("InputHash"));
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return history;
    }

    private async Task SetStatusAsync(string instanceId, WorkflowStatus status, string? output, string? error, CancellationToken cancellationToken)
    {
        var properties = new Dictionary<string, object?>
        {
            ["Status"] = status.ToString(),
            ["UpdatedUtc"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["Error"] = error ?? string.Empty,
        };
        if (output is not null)
        {
            properties["Output"] = output;
        }

        await _tables.UpsertAsync(LocalWorkflowOptions.InstancesTable, new TableEntity(InstancesPartition, instanceId) { Properties = properties }, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureTablesAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _initialised.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_ready)
            {
                await _tables.CreateTableIfNotExistsAsync(LocalWorkflowOptions.InstancesTable, cancellationToken).ConfigureAwait(false);
                await _tables.CreateTableIfNotExistsAsync(LocalWorkflowOptions.HistoryTable, cancellationToken).ConfigureAwait(false);
                _ready = true;
            }
        }
        finally
        {
            _initialised.Release();
        }
    }

    private static WorkflowInstanceState ToState(TableEntity e)
    {
        var error = e.GetString("Error");
        return new WorkflowInstanceState(
            e.RowKey,
            e.GetString("Name") ?? string.Empty,
            Enum.Parse<WorkflowStatus>(e.GetString("Status") ?? nameof(WorkflowStatus.Pending)),
            WorkflowJson.ToElement(e.GetString("Input")),
            WorkflowJson.ToElement(e.GetString("Output")),
            string.IsNullOrEmpty(error) ? null : error,
            WorkflowJson.ToElement(e.GetString("CustomStatus")),
            DateTimeOffset.Parse(e.GetString("CreatedUtc")!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            DateTimeOffset.Parse(e.GetString("UpdatedUtc")!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
    }

    private static string SequenceKey(int sequence) => sequence.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>A completed call; <paramref name="InputHash"/> fingerprints its input (null in histories written before it was kept).</summary>
    internal sealed record HistoryEvent(string Name, string ResultJson, DateTime CompletedUtc, string? InputHash = null);

    /// <summary>A call's input fingerprint (SHA-256 of its JSON, 128 bits in hex): replay compares it, never the input itself
    /// (inputs hold blob names, not personal data, but the history need not keep them twice).</summary>
    internal static string InputHash(string inputJson) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(inputJson)).AsSpan(0, 16));

    private sealed class RunningInstance(CancellationTokenSource cancellation)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public string? TerminationReason { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Workflow {InstanceId} ({Orchestrator}) running; {HistoryCount} activity results in history")]
        public static partial void InstanceStarted(ILogger logger, string instanceId, string orchestrator, int historyCount);

        [LoggerMessage(2, LogLevel.Information, "Workflow {InstanceId} completed: {Replayed} activities replayed, {Executed} executed")]
        public static partial void InstanceCompleted(ILogger logger, string instanceId, int replayed, int executed);

        [LoggerMessage(3, LogLevel.Error, "Workflow {InstanceId} failed ({ExceptionType})")]
        public static partial void InstanceFailed(ILogger logger, string instanceId, string exceptionType);

        [LoggerMessage(4, LogLevel.Debug, "Workflow {InstanceId}: activity {Activity} #{Sequence} done in {Milliseconds:F0} ms")]
        public static partial void ActivityCompleted(ILogger logger, string instanceId, string activity, int sequence, double milliseconds);

        [LoggerMessage(5, LogLevel.Warning, "Workflow {InstanceId}: activity {Activity} #{Sequence} attempt {Attempt} failed ({ExceptionType}); retrying")]
        public static partial void ActivityRetrying(ILogger logger, string instanceId, string activity, int sequence, int attempt, string exceptionType);

        [LoggerMessage(6, LogLevel.Error, "Workflow {InstanceId}: activity {Activity} #{Sequence} failed after {Attempt} attempts ({ExceptionType})")]
        public static partial void ActivityFailed(ILogger logger, string instanceId, string activity, int sequence, int attempt, string exceptionType);

        [LoggerMessage(7, LogLevel.Debug, "Workflow {InstanceId}: progress update not stored ({ExceptionType})")]
        public static partial void StatusWriteFailed(ILogger logger, string instanceId, string exceptionType);
    }
}
