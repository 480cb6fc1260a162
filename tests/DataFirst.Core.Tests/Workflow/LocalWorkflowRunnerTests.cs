using System.Collections.Concurrent;
using DataFirst.Core.Storage;
using DataFirst.Core.Workflow;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataFirst.Core.Tests.Workflow;

public sealed class LocalWorkflowRunnerTests
{
    private readonly InMemoryTableStore _tables = new();
    private readonly InMemoryBlobStore _blobs = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();

    private sealed record SquareInput(int Value);

    private sealed record FanInput(int Count, int FailAt);

    private static async Task<int> FanOutFanIn(IWorkflowContext context, FanInput input)
    {
        var tasks = Enumerable.Range(1, input.Count).Select(i => context.CallActivityAsync<int>("Square", new SquareInput(i))).ToList();
        var squares = await Task.WhenAll(tasks);
        context.SetCustomStatus(new { stage = "summing", done = squares.Length });
        return await context.CallActivityAsync<int>("Sum", squares);
    }

    private LocalWorkflowRunner CreateRunner(Func<int, int>? square = null, LocalWorkflowOptions? options = null)
    {
        var activities = new ActivityRegistry()
            .Add<SquareInput, int>("Square", (input, _) =>
            {
                _calls.AddOrUpdate($"Square:{input.Value}", 1, (_, n) => n + 1);
                return Task.FromResult((square ?? (v => v * v))(input.Value));
            })
            .Add<int[], int>("Sum", (values, _) =>
            {
                _calls.AddOrUpdate("Sum", 1, (_, n) => n + 1);
                return Task.FromResult(values.Sum());
            })
            .Add<int, string>("Big", (n, _) => Task.FromResult(new string('x', n)));
        var orchestrators = new OrchestratorRegistry()
            .Add<FanInput, int>("Fan", FanOutFanIn)
            .Add<int, int>("BigOne", async (context, n) => (await context.CallActivityAsync<string>("Big", n)).Length)
            .Add<FanInput, int>("OtherShape", async (context, _) => await context.CallActivityAsync<int>("Sum", new[] { 1, 2 }))
            .Add<FanInput, int>("FanReversed", async (context, input) =>
            {
                var squares = await Task.WhenAll(Enumerable.Range(1, input.Count).Reverse().Select(i => context.CallActivityAsync<int>("Square", new SquareInput(i))));
                return await context.CallActivityAsync<int>("Sum", squares);
            });
        return new LocalWorkflowRunner(_tables, _blobs, activities, orchestrators, NullLoggerFactory.Instance, options ?? new LocalWorkflowOptions { DefaultRetry = new ActivityRetryPolicy(3, TimeSpan.FromMilliseconds(1)) });
    }

    [Fact]
    public async Task RunAsync_FanOutFanIn_CompletesWithSumOfSquares()
    {
        var runner = CreateRunner();
        await runner.CreateInstanceAsync("Fan", "i1", new FanInput(10, 0));

        var (state, stats) = await runner.RunAsync("i1");

        state.Status.Should().Be(WorkflowStatus.Completed);
        state.Output!.Value.GetInt32().Should().Be(385);
        stats.Should().Be(new WorkflowExecutionStats(0, 11));
    }

    [Fact]
    public async Task RunAsync_AfterPermanentActivityFailure_FailsNamingActivity_AndRestartReplaysCompletedCalls()
    {
        var broken = true;
        var runner = CreateRunner(v => v == 7 && broken ? throw new InvalidDataException("bad row 7") : v * v);
        await runner.CreateInstanceAsync("Fan", "i2", new FanInput(10, 7));

        var (failed, _) = await runner.RunAsync("i2");

        failed.Status.Should().Be(WorkflowStatus.Failed);
        failed.Error.Should().Contain("activity Square").And.Contain("bad row 7");
        var squaresBefore = _calls.Where(kv => kv.Key.StartsWith("Square:", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

        broken = false;
        var (completed, stats) = await runner.RunAsync("i2");

        completed.Status.Should().Be(WorkflowStatus.Completed);
        completed.Output!.Value.GetInt32().Should().Be(385);
        stats.Replayed.Should().Be(9, "the nine squares that succeeded are in the history");
        stats.Executed.Should().Be(2, "only Square(7) and Sum run again");
        foreach (var (key, count) in squaresBefore.Where(kv => kv.Key != "Square:7"))
        {
            _calls[key].Should().Be(count, $"{key} completed before and must not run again");
        }
    }

    [Fact]
    public async Task RunAsync_ActivityOutOfMemory_FailsSayingTheLimitAndWhatToChange()
    {
        var runner = CreateRunner(v => v == 2 ? throw new OutOfMemoryException() : v * v, new LocalWorkflowOptions { MaxParallelActivities = 3, DefaultRetry = new ActivityRetryPolicy(2, TimeSpan.FromMilliseconds(1)) });
        await runner.CreateInstanceAsync("Fan", "oom", new FanInput(4, 0));

        var (state, _) = await runner.RunAsync("oom");

        state.Status.Should().Be(WorkflowStatus.Failed);
        var limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1048576.0;
        state.Error.Should().Contain("activity Square").And.Contain("out of memory")
            .And.Contain(limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " MiB")
            .And.Contain("up to 3 activities at once").And.Contain("--parallel-activities")
            .And.NotContain("System.OutOfMemoryException");
        _calls["Square:2"].Should().Be(2, "running out of memory may pass once other activities finish, so it is retried");
    }

    [Fact]
    public async Task RunAsync_TransientFailure_IsRetriedWithBackoff()
    {
        var failures = 2;
        var runner = CreateRunner(v => v == 3 && Interlocked.Decrement(ref failures) >= 0 ? throw new TimeoutException("blip") : v * v);
        await runner.CreateInstanceAsync("Fan", "i3", new FanInput(4, 0));

        var (state, _) = await runner.RunAsync("i3");

        state.Status.Should().Be(WorkflowStatus.Completed);
        _calls["Square:3"].Should().Be(3);
    }

    [Fact]
    public async Task RunAsync_RecordedHistoryOfAnotherShape_FailsAsNonDeterministic()
    {
        var runner = CreateRunner();
        await runner.CreateInstanceAsync("Fan", "i4", new FanInput(3, 0));
        await runner.RunAsync("i4");

        // Same history, different orchestrator code: call 0 was Square, now it is Sum.
        await _tables.UpsertAsync(LocalWorkflowOptions.InstancesTable, new TableEntity("instances", "i4")
        {
            Properties = new Dictionary<string, object?> { ["Name"] = "OtherShape", ["Status"] = "Failed" },
        }, TableUpdateMode.Merge);
        var (state, _) = await runner.RunAsync("i4");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("not deterministic").And.Contain("'Square'").And.Contain("'Sum'");
    }

    [Fact]
    public async Task RunAsync_RecordedHistoryOfTheSameActivitiesWithOtherInputs_FailsAsNonDeterministic()
    {
        var runner = CreateRunner();
        await runner.CreateInstanceAsync("Fan", "i7", new FanInput(3, 0));
        await runner.RunAsync("i7");

        // The same calls in another order: call 0 was Square(1), now it is Square(3). Its recorded result is not this call's.
        await _tables.UpsertAsync(LocalWorkflowOptions.InstancesTable, new TableEntity("instances", "i7")
        {
            Properties = new Dictionary<string, object?> { ["Name"] = "FanReversed", ["Status"] = "Failed" },
        }, TableUpdateMode.Merge);
        var (state, _) = await runner.RunAsync("i7");

        state.Status.Should().Be(WorkflowStatus.Failed);
        state.Error.Should().Contain("not deterministic").And.Contain("call 0 ('Square') had another input");
    }

    [Fact]
    public async Task RunAsync_HistoryWrittenBeforeInputsWereFingerprinted_StillReplays()
    {
        var broken = true;
        var runner = CreateRunner(v => v == 2 && broken ? throw new InvalidDataException("bad") : v * v);
        await runner.CreateInstanceAsync("Fan", "i8", new FanInput(3, 0));
        (await runner.RunAsync("i8")).Item1.Status.Should().Be(WorkflowStatus.Failed);
        foreach (var e in (await _tables.QueryAsync(LocalWorkflowOptions.HistoryTable, "i8")).Items)
        {
            e.GetString("InputHash").Should().HaveLength(32);
            var properties = e.Properties.Where(p => p.Key != "InputHash").ToDictionary(p => p.Key, p => p.Value);
            await _tables.UpsertAsync(LocalWorkflowOptions.HistoryTable, new TableEntity("i8", e.RowKey) { Properties = properties }, TableUpdateMode.Replace);
        }

        broken = false;
        var (state, stats) = await runner.RunAsync("i8");

        state.Status.Should().Be(WorkflowStatus.Completed);
        state.Output!.Value.GetInt32().Should().Be(14);
        stats.Should().Be(new WorkflowExecutionStats(2, 2));
    }

    [Fact]
    public async Task RunAsync_LargeResult_IsStoredAsBlobAndReplayed()
    {
        var runner = CreateRunner(options: new LocalWorkflowOptions { InlineResultLimit = 100 });
        await runner.CreateInstanceAsync("BigOne", "i5", 5000);

        var (first, _) = await runner.RunAsync("i5");
        var blobs = await _blobs.ListPageAsync("working", "_workflow/i5/");

        first.Output!.Value.GetInt32().Should().Be(5000);
        blobs.Items.Should().ContainSingle();
        var history = await _tables.QueryAsync(LocalWorkflowOptions.HistoryTable, "i5");
        history.Items.Single().GetString("ResultBlob").Should().Be(blobs.Items[0].Name);
    }

    [Fact]
    public async Task CreateInstanceAsync_SameIdTwice_ReturnsFalseTheSecondTime()
    {
        var runner = CreateRunner();

        (await runner.CreateInstanceAsync("Fan", "dup", new FanInput(1, 0))).Should().BeTrue();
        (await runner.CreateInstanceAsync("Fan", "dup", new FanInput(1, 0))).Should().BeFalse();
    }

    [Fact]
    public async Task TerminateAsync_RunningInstance_EndsTerminated()
    {
        var gate = new TaskCompletionSource();
        var activities = new ActivityRegistry().Add<int, int>("Wait", async (_, ct) =>
        {
            gate.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        });
        var orchestrators = new OrchestratorRegistry().Add<int, int>("Slow", (context, _) => context.CallActivityAsync<int>("Wait", 1));
        var runner = new LocalWorkflowRunner(_tables, _blobs, activities, orchestrators, NullLoggerFactory.Instance);
        await runner.CreateInstanceAsync("Slow", "t1", 0);

        var run = runner.RunAsync("t1");
        await gate.Task.WaitAsync(TimeSpan.FromSeconds(10));
        (await runner.TerminateAsync("t1", "user asked")).Should().BeTrue();
        var (state, _) = await run.WaitAsync(TimeSpan.FromSeconds(10));

        state.Status.Should().Be(WorkflowStatus.Terminated);
        state.Error.Should().Contain("user asked");
    }

    [Fact]
    public async Task RunAsync_FanOutOfActivitiesThatNeverAwait_RunsThemAtOnce()
    {
        // Each activity works synchronously (as an ingest activity reads its whole CSV) and waits for the other to
        // have started. Run on the orchestrator's thread, the first would hold up the call that starts the second,
        // and both would report that they ran alone.
        using var barrier = new Barrier(2);
        var activities = new ActivityRegistry().Add<int, bool>("Busy", (_, ct) => Task.FromResult(barrier.SignalAndWait(TimeSpan.FromSeconds(10), ct)));
        var orchestrators = new OrchestratorRegistry().Add<int, int>("Two", async (context, _) =>
            (await Task.WhenAll(context.CallActivityAsync<bool>("Busy", 1), context.CallActivityAsync<bool>("Busy", 2))).Count(together => together));
        var runner = new LocalWorkflowRunner(_tables, _blobs, activities, orchestrators, NullLoggerFactory.Instance, new LocalWorkflowOptions { MaxParallelActivities = 2 });
        await runner.CreateInstanceAsync("Two", "p1", 0);

        var (state, _) = await runner.RunAsync("p1").WaitAsync(TimeSpan.FromSeconds(30));

        state.Status.Should().Be(WorkflowStatus.Completed);
        state.Output!.Value.GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task SetCustomStatus_IsVisibleToStatusQueries()
    {
        var runner = CreateRunner();
        await runner.CreateInstanceAsync("Fan", "s1", new FanInput(2, 0));

        await runner.RunAsync("s1");
        var state = await runner.GetStatusAsync("s1");

        state!.CustomStatus!.Value.GetProperty("stage").GetString().Should().Be("summing");
    }
}
