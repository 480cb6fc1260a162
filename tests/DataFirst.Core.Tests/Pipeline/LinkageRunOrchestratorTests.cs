using System.Text.Json;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Pipeline.Activities;
using DataFirst.Core.Storage;
using DataFirst.Core.Workflow;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DataFirst.Core.Tests.Pipeline;

/// <summary>The orchestrator's branching (Moq on IWorkflowContext) and its determinism under replay.</summary>
public sealed class LinkageRunOrchestratorTests
{
    private static readonly RunContext Run = new("r1", "s", "v1", new DateOnly(2026, 11, 1), "working/r1/settings.json", 1);

    private static LinkageRunRequest Request(string? model = null) => new()
    {
        Share = "s",
        Version = "v1",
        Extracts = [new ExtractReference("magistrates", "extracts/s/magistrates.csv"), new ExtractReference("crown_court", "extracts/s/crown_court.csv")],
        Model = model,
        RunDate = new DateOnly(2026, 11, 1),
    };

    private static Mock<IWorkflowContext> Context(bool hasModel, List<string> calls)
    {
        var context = new Mock<IWorkflowContext>(MockBehavior.Strict);
        context.SetupGet(c => c.InstanceId).Returns("r1");
        context.SetupGet(c => c.CurrentUtcDateTime).Returns(new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc));
        context.SetupGet(c => c.IsReplaying).Returns(false);
        context.Setup(c => c.SetCustomStatus(It.IsAny<object?>()));
        context.Setup(c => c.CreateReplaySafeLogger(It.IsAny<string>())).Returns(NullLogger.Instance);
        void Returns<TResult>(string name, Func<object?, TResult> result) =>
            context.Setup(c => c.CallActivityAsync<TResult>(name, It.IsAny<object?>(), It.IsAny<ActivityRetryPolicy?>()))
                .Returns((string n, object? input, ActivityRetryPolicy? _) =>
                {
                    lock (calls)
                    {
                        calls.Add(n);
                    }

                    return Task.FromResult(result(input));
                });

        Returns(CheckInputsActivity.Name, _ => new CheckInputsResult(Run.SettingsBlob, ["surname & dob", "forename & dob"], ["dob", "postcode"], hasModel, "s", "v1", "s"));
        Returns(IngestExtractActivity.Name, i => new IngestExtractResult(((IngestExtractInput)i!).Extract.Dataset, $"working/r1/records/{((IngestExtractInput)i).Extract.Dataset}.dfrs", "clean", 10, 0, null, new Dictionary<string, long>()));
        // The second training rule has more pairs than em.max_pairs: its partition activity asks for a sample of a quarter.
        // Prediction rules give each partition's shard as parts (one per dataset); training rules give whole shards, as
        // results recorded before parts existed do.
        Returns(PartitionRecordsActivity.Name, i =>
        {
            var rule = ((PartitionRecordsInput)i!).Rule;
            return rule.Kind == RuleRef.Prediction
                ? new PartitionRecordsResult(rule, [], 30, 4, [], 1, [[$"{rule}/0-0", $"{rule}/0-1"], [$"{rule}/1-0"], [$"{rule}/2-1"]])
                : new PartitionRecordsResult(rule, ["shard-a", "shard-b", "shard-c"], 30, 4, [], rule == new RuleRef(RuleRef.Training, 1) ? 0.25 : 1);
        });
        Returns(EstimateParametersActivity.Name, i => new EstimateParametersResult(((EstimateParametersInput)i!).Train ? "params" : null, "tf", 0.01, 1000));
        Returns(CountPatternsActivity.Name, i => new CountPatternsResult(((CountPatternsInput)i!).TrainingRule, "{}", 5));
        Returns(TrainModelActivity.Name, _ => new TrainModelResult("models/s/r1/model.json", 12, true, []));
        Returns(ScorePartitionActivity.Name, _ => new ScorePartitionResult("edges", 100, 3));
        Returns(ClusterRecordsActivity.Name, _ => new ClusterRecordsResult("clusters", 20, 12, 3, 0, new PersonIdReport(20, 12, 0, 12, 0, 0, 0, 0, 0, 0, 0), []));
        Returns(LinkCasesActivity.Name, _ => new LinkCasesResult("links", 4, 5, 4));
        Returns(WriteShareDatasetActivity.Name, i => new WriteShareDatasetResult(((WriteShareDatasetInput)i!).Extract.Dataset, "file", 10, "stats"));
        Returns(WriteCatalogueActivity.Name, _ => new WriteCatalogueResult([new ShareFileRef("catalogue.json", "working/r1/share/catalogue.json")], "report"));
        Returns(PublishShareActivity.Name, _ => new PublishShareResult("srs-transfer/s/v1/", 1, "abc"));
        Returns(CleanWorkingActivity.Name, _ => new CleanWorkingResult(40, 1_000_000));
        return context;
    }

    [Fact]
    public async Task RunAsync_WithoutModel_TrainsOnEveryTrainingShard_AndScoresEveryPredictionShard()
    {
        var calls = new List<string>();
        var context = Context(hasModel: false, calls);

        var result = await LinkageRunOrchestrator.RunAsync(context.Object, Request());

        calls.Count(c => c == IngestExtractActivity.Name).Should().Be(2);
        calls.Count(c => c == PartitionRecordsActivity.Name).Should().Be(4, "two prediction and two training rules");
        calls.Count(c => c == CountPatternsActivity.Name).Should().Be(6, "three shards for each of two training rules");
        calls.Count(c => c == TrainModelActivity.Name).Should().Be(1);
        calls.Count(c => c == ScorePartitionActivity.Name).Should().Be(6, "three shards for each of two prediction rules");
        calls.Count(c => c == WriteShareDatasetActivity.Name).Should().Be(2);
        calls[0].Should().Be(CheckInputsActivity.Name);
        calls[^2].Should().Be(PublishShareActivity.Name);
        calls[^1].Should().Be(CleanWorkingActivity.Name, "the intermediates go once the share is published");
        result.Comparisons.Should().Be(600);
        result.EmIterations.Should().Be(12);
        result.PublishedTo.Should().Be("srs-transfer/s/v1/");
        context.Verify(c => c.CallActivityAsync<EstimateParametersResult>(EstimateParametersActivity.Name, It.Is<EstimateParametersInput>(i => i.Train), It.IsAny<ActivityRetryPolicy?>()), Times.Once);
        context.Verify(c => c.SetCustomStatus(It.Is<RunProgress>(p => p.Stage == "scoring" && p.Done == 6 && p.Total == 6)), Times.Once);
        context.Verify(c => c.CallActivityAsync<CountPatternsResult>(CountPatternsActivity.Name, It.Is<CountPatternsInput>(i => i.TrainingRule == 1 && i.PairSampleRate == 0.25), It.IsAny<ActivityRetryPolicy?>()), Times.Exactly(3));
        result.Blocking.Should().Equal(
            new RuleBlocking("prediction-0", "surname & dob", 30, 4, 1),
            new RuleBlocking("prediction-1", "forename & dob", 30, 4, 1),
            new RuleBlocking("training-0", "dob", 30, 4, 1),
            new RuleBlocking("training-1", "postcode", 30, 4, 0.25));
        context.Verify(c => c.CallActivityAsync<CountPatternsResult>(CountPatternsActivity.Name, It.Is<CountPatternsInput>(i => i.TrainingRule == 0 && i.PairSampleRate == 1), It.IsAny<ActivityRetryPolicy?>()), Times.Exactly(3));
        context.Verify(c => c.CallActivityAsync<CountPatternsResult>(CountPatternsActivity.Name, It.Is<CountPatternsInput>(i => i.TrainingRule == 0 && i.ShardBlobs.SequenceEqual(new[] { "shard-b" })), It.IsAny<ActivityRetryPolicy?>()), Times.Once);
        foreach (var rule in new[] { new RuleRef(RuleRef.Prediction, 0), new RuleRef(RuleRef.Prediction, 1) })
        {
            context.Verify(c => c.CallActivityAsync<ScorePartitionResult>(ScorePartitionActivity.Name, It.Is<ScorePartitionInput>(i => i.Rule == rule && i.Partition == 0 && i.ShardBlobs.SequenceEqual(new[] { $"{rule}/0-0", $"{rule}/0-1" })), It.IsAny<ActivityRetryPolicy?>()), Times.Once);
            context.Verify(c => c.CallActivityAsync<ScorePartitionResult>(ScorePartitionActivity.Name, It.Is<ScorePartitionInput>(i => i.Rule == rule && i.Partition == 2 && i.ShardBlobs.SequenceEqual(new[] { $"{rule}/2-1" })), It.IsAny<ActivityRetryPolicy?>()), Times.Once);
        }
    }

    [Fact]
    public async Task RunAsync_WithSavedModel_SkipsTraining_AndScoresWithThatModel()
    {
        var calls = new List<string>();
        var context = Context(hasModel: true, calls);

        await LinkageRunOrchestrator.RunAsync(context.Object, Request(model: "models/s/old/model.json"));

        calls.Should().NotContain(CountPatternsActivity.Name).And.NotContain(TrainModelActivity.Name);
        calls.Count(c => c == PartitionRecordsActivity.Name).Should().Be(2, "training rules are not partitioned");
        context.Verify(c => c.CallActivityAsync<EstimateParametersResult>(EstimateParametersActivity.Name, It.Is<EstimateParametersInput>(i => !i.Train), It.IsAny<ActivityRetryPolicy?>()), Times.Once);
        context.Verify(c => c.CallActivityAsync<ScorePartitionResult>(ScorePartitionActivity.Name, It.Is<ScorePartitionInput>(i => i.ModelBlob == "models/s/old/model.json" && i.TermFrequenciesBlob == "tf"), It.IsAny<ActivityRetryPolicy?>()), Times.Exactly(6));
    }

    [Fact]
    public async Task RunAsync_CallsTheLargestExtractFirst_AndKeepsTheRequestsOrderInItsResults()
    {
        var calls = new List<string>();
        var context = Context(hasModel: false, calls);
        context.Setup(c => c.CallActivityAsync<CheckInputsResult>(CheckInputsActivity.Name, It.IsAny<object?>(), It.IsAny<ActivityRetryPolicy?>()))
            .ReturnsAsync(new CheckInputsResult(Run.SettingsBlob, ["surname & dob"], ["dob"], false, "s", "v1", "s", null, [10, 500]));
        var order = new List<string>();
        context.Setup(c => c.CallActivityAsync<IngestExtractResult>(IngestExtractActivity.Name, It.IsAny<object?>(), It.IsAny<ActivityRetryPolicy?>()))
            .Returns((string _, object? i, ActivityRetryPolicy? _) =>
            {
                var dataset = ((IngestExtractInput)i!).Extract.Dataset;
                order.Add($"ingest {dataset}");
                // The magistrates' result has its case-link projection; crown_court's has none, as in a history recorded
                // before projections existed.
                return Task.FromResult(new IngestExtractResult(dataset, $"working/r1/records/{dataset}.dfrs", $"working/r1/clean/{dataset}.csv", 10, 0, null, new Dictionary<string, long>(),
                    dataset == "magistrates" ? "working/r1/clean/case-link/magistrates.csv" : null));
            });
        var linking = new TaskCompletionSource<LinkCasesResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Setup(c => c.CallActivityAsync<LinkCasesResult>(LinkCasesActivity.Name, It.IsAny<object?>(), It.IsAny<ActivityRetryPolicy?>()))
            .Returns(() =>
            {
                order.Add("link cases");
                return linking.Task;
            });
        context.Setup(c => c.CallActivityAsync<WriteShareDatasetResult>(WriteShareDatasetActivity.Name, It.IsAny<object?>(), It.IsAny<ActivityRetryPolicy?>()))
            .Returns((string _, object? i, ActivityRetryPolicy? _) =>
            {
                var extract = ((WriteShareDatasetInput)i!).Extract;
                order.Add($"share {extract.Dataset} {extract.Blob}");
                return Task.FromResult(new WriteShareDatasetResult(extract.Dataset, "file", 10, "stats"));
            });

        var run = LinkageRunOrchestrator.RunAsync(context.Object, Request());

        // Case linking runs alone: no share writer starts before it ends (side by side they would hold the magistrates'
        // person ids twice in one process).
        order.Should().Equal("ingest crown_court", "ingest magistrates", "link cases");
        linking.SetResult(new LinkCasesResult("links", 4, 5, 4));
        await run;

        // crown_court (500 bytes) before magistrates (10), and each share writer gets its own dataset's clean extract.
        order.Should().Equal("ingest crown_court", "ingest magistrates", "link cases", "share crown_court working/r1/clean/crown_court.csv", "share magistrates working/r1/clean/magistrates.csv");
        context.Verify(c => c.CallActivityAsync<PartitionRecordsResult>(PartitionRecordsActivity.Name, It.Is<PartitionRecordsInput>(i => i.RecordBlobs.SequenceEqual(new[] { "working/r1/records/magistrates.dfrs", "working/r1/records/crown_court.dfrs" })), It.IsAny<ActivityRetryPolicy?>()), Times.Exactly(2));
        context.Verify(c => c.CallActivityAsync<WriteCatalogueResult>(WriteCatalogueActivity.Name, It.Is<WriteCatalogueInput>(i => i.Datasets.Select(d => d.Dataset).SequenceEqual(new[] { "magistrates", "crown_court" })), It.IsAny<ActivityRetryPolicy?>()), Times.Once);

        // Case linking reads an extract's projection where ingest made one, the clean extract otherwise.
        context.Verify(c => c.CallActivityAsync<LinkCasesResult>(LinkCasesActivity.Name, It.Is<LinkCasesInput>(i => i.Extracts.Select(e => e.Blob).SequenceEqual(new[] { "working/r1/clean/case-link/magistrates.csv", "working/r1/clean/crown_court.csv" })), It.IsAny<ActivityRetryPolicy?>()), Times.Once);
    }

    [Fact]
    public async Task RunAsync_IngestInput_CarriesTheShareColumns_ButIsAsRecordedForInputsCheckedBeforeThey()
    {
        // A history's calls are matched by a hash of their input: a run whose inputs were checked by an older version (no
        // share columns in the result) must call ingest with the input it recorded then, or its resume would fail.
        async Task<List<string>> IngestInputsAsync(CheckInputsResult checkedInputs, LinkageRunRequest request)
        {
            var context = Context(hasModel: false, []);
            context.Setup(c => c.CallActivityAsync<CheckInputsResult>(CheckInputsActivity.Name, It.IsAny<object?>(), It.IsAny<ActivityRetryPolicy?>())).ReturnsAsync(checkedInputs);
            var inputs = new List<string>();
            context.Setup(c => c.CallActivityAsync<IngestExtractResult>(IngestExtractActivity.Name, It.IsAny<object?>(), It.IsAny<ActivityRetryPolicy?>()))
                .Returns((string _, object? i, ActivityRetryPolicy? _) =>
                {
                    var input = (IngestExtractInput)i!;
                    lock (inputs)
                    {
                        inputs.Add(WorkflowJson.Serialize(input));
                    }

                    return Task.FromResult(new IngestExtractResult(input.Extract.Dataset, "records", "clean", 10, 0, null, new Dictionary<string, long>()));
                });
            await LinkageRunOrchestrator.RunAsync(context.Object, request);
            return [.. inputs.Order(StringComparer.Ordinal)];
        }

        var older = new CheckInputsResult(Run.SettingsBlob, ["surname & dob"], ["dob"], false, "s", "v1", "s");
        var columns = new Dictionary<string, IReadOnlyList<string>> { ["magistrates"] = ["case_id", "appeal_lodged"], ["crown_court"] = [] };

        var recorded = await IngestInputsAsync(older, Request() with { ShareSpec = "extracts/s/spec.json" });
        var now = await IngestInputsAsync(older with { ShareColumns = columns }, Request() with { ShareSpec = "extracts/s/spec.json" });

        var run = WorkflowJson.Serialize(Run);
        recorded.Should().Equal(
            $$$"""{"run":{{{run}}},"extract":{"dataset":"crown_court","blob":"extracts/s/crown_court.csv"}}""",
            $$$"""{"run":{{{run}}},"extract":{"dataset":"magistrates","blob":"extracts/s/magistrates.csv"}}""");
        now.Should().Equal(
            $$$"""{"run":{{{run}}},"extract":{"dataset":"crown_court","blob":"extracts/s/crown_court.csv"},"shareColumns":{"columns":[],"shareSpecBlob":"extracts/s/spec.json"}}""",
            $$$"""{"run":{{{run}}},"extract":{"dataset":"magistrates","blob":"extracts/s/magistrates.csv"},"shareColumns":{"columns":["case_id","appeal_lodged"],"shareSpecBlob":"extracts/s/spec.json"}}""");
    }

    [Fact]
    public async Task RunAsync_KeepWorking_LeavesTheIntermediates()
    {
        var calls = new List<string>();
        var context = Context(hasModel: false, calls);

        await LinkageRunOrchestrator.RunAsync(context.Object, Request() with { KeepWorking = true });

        calls[^1].Should().Be(PublishShareActivity.Name);
        calls.Should().NotContain(CleanWorkingActivity.Name);
    }

    [Fact]
    public async Task RunAsync_FailingActivity_StopsTheRun()
    {
        var calls = new List<string>();
        var context = Context(hasModel: false, calls);
        context.Setup(c => c.CallActivityAsync<CheckInputsResult>(CheckInputsActivity.Name, It.IsAny<object?>(), It.IsAny<ActivityRetryPolicy?>()))
            .ThrowsAsync(new ActivityFailedException(CheckInputsActivity.Name, 0, "extract 'x' does not exist"));

        var act = () => LinkageRunOrchestrator.RunAsync(context.Object, Request());

        (await act.Should().ThrowAsync<ActivityFailedException>()).Which.ActivityName.Should().Be(CheckInputsActivity.Name);
        calls.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_ReplayOfARecordedHistory_MakesTheSameActivityCallsInTheSameOrder()
    {
        using var run = await PipelineTestRun.CreateAsync(people: 200, seed: 6);
        var request = await run.UploadAsync("replay", "v1", only: ["magistrates", "crown_court"]);
        (await run.RunAsync(request, "replay-1")).State.Status.Should().Be(WorkflowStatus.Completed);
        var history = await HistoryAsync(run.Tables, run.Blobs, "replay-1");
        history.Should().HaveCountGreaterThan(10);

        var replay = new ReplayContext("replay-1", history);
        await LinkageRunOrchestrator.RunAsync(replay, request);

        replay.Calls.Should().Equal(history.Select(h => h.Name), "a replay must schedule exactly the recorded activities, in order");
    }

    private static async Task<List<(string Name, string Result)>> HistoryAsync(ITableStore tables, IBlobStore blobs, string instance)
    {
        var page = await tables.QueryAsync(LocalWorkflowOptions.HistoryTable, instance, null, null, 10_000);
        var result = new List<(string, string)>();
        foreach (var e in page.Items.OrderBy(e => e.RowKey, StringComparer.Ordinal))
        {
            var json = e.GetString("Result") ?? System.Text.Encoding.UTF8.GetString(await blobs.DownloadBytesAsync("working", e.GetString("ResultBlob")!));
            result.Add((e.GetString("Name")!, json));
        }

        return result;
    }

    /// <summary>Plays recorded results back by call sequence and records what the orchestrator asks for.</summary>
    private sealed class ReplayContext(string instanceId, IReadOnlyList<(string Name, string Result)> history) : IWorkflowContext
    {
        private int _next;

        public List<string> Calls { get; } = [];

        public string InstanceId => instanceId;

        public DateTime CurrentUtcDateTime => new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

        public bool IsReplaying => true;

        public Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, ActivityRetryPolicy? retryPolicy = null)
        {
            int sequence;
            lock (Calls)
            {
                sequence = _next++;
                Calls.Add(name);
            }

            return Task.FromResult(JsonSerializer.Deserialize<TResult>(history[sequence].Result, WorkflowJson.Options)!);
        }

        public void SetCustomStatus(object? customStatus)
        {
        }

        public Microsoft.Extensions.Logging.ILogger CreateReplaySafeLogger(string categoryName) => NullLogger.Instance;
    }
}
