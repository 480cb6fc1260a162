using DataFirst.Core.Pipeline.Activities;
using DataFirst.Core.Workflow;

namespace DataFirst.Core.Pipeline;

/// <summary>
/// One linkage run, written once for both executors (local runner, Durable Functions):
/// check inputs → ingest each extract (fan-out) → partition by each blocking rule → estimate u
/// and λ → count agreement patterns per partition for each training rule (fan-out, summed) → EM →
/// score every partition (fan-out) → cluster → link cases → write share datasets (fan-out) and
/// catalogue → publish → remove the run's intermediates (unless the request keeps them). Deterministic: no I/O, clock, GUIDs or environment; all of that is in the
/// activities or the input.
/// </summary>
public static class LinkageRunOrchestrator
{
    public const string Name = nameof(LinkageRunOrchestrator);

    /// <summary>Transient failures (storage blips) are retried; data errors fail at once.</summary>
    public static readonly ActivityRetryPolicy Retry = new(4, TimeSpan.FromSeconds(1), 2.0, TimeSpan.FromSeconds(30))
    {
        Handle = ex => ex is not Settings.LinkageException and not Deidentification.DeidentificationException,
    };

    public static async Task<LinkageRunResult> RunAsync(IWorkflowContext context, LinkageRunRequest request)
    {
        var logger = context.CreateReplaySafeLogger(Name);
        var stages = new List<StageTiming>();
        var warnings = new List<string>();
        var clock = context.CurrentUtcDateTime;
        void Stage(string name)
        {
            stages.Add(new StageTiming(name, (context.CurrentUtcDateTime - clock).TotalSeconds));
            clock = context.CurrentUtcDateTime;
        }

        var runDate = request.RunDate ?? DateOnly.FromDateTime(context.CurrentUtcDateTime);
        var run = new RunContext(context.InstanceId, request.Share, request.Version ?? runDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), runDate, request.Settings ?? string.Empty, request.Seed);

        context.SetCustomStatus(new RunProgress("checking inputs", 0, 1));
        var inputs = await context.CallActivityAsync<CheckInputsResult>(CheckInputsActivity.Name, new CheckInputsInput(run, request), Retry);
        run = run with { SettingsBlob = inputs.SettingsBlob, Share = inputs.Share, Version = inputs.Version };
        var keyId = inputs.KeyId;

        // Ingest: validate, quarantine bad rows, standardise — one activity per extract, the largest called first: with fewer
        // workers than extracts (the local runner runs one per core), the largest started last would run alone at the end.
        // The results keep the request's order, which the run's records are concatenated in.
        var largestFirst = LargestFirst(inputs.ExtractBytes, request.Extracts.Count);
        context.SetCustomStatus(new RunProgress("ingesting", 0, request.Extracts.Count));
        // Each ingest is given the columns the share reads of its extract (none in a history whose inputs were checked
        // before they were kept: the input is then the one recorded).
        var ingested = InCallersOrder(largestFirst, await Task.WhenAll(largestFirst.Select(i =>
            context.CallActivityAsync<IngestExtractResult>(IngestExtractActivity.Name, new IngestExtractInput(run, request.Extracts[i], ShareColumnsOf(inputs, request, i)), Retry))));
        var recordBlobs = ingested.Select(i => i.RecordsBlob).Where(b => b.Length > 0).ToList();
        var cleanExtracts = ingested.Select(i => new ExtractReference(i.Dataset, i.CleanBlob)).ToList();
        Stage("ingest");

        // Partition by every blocking rule's key (map/shuffle): partitions are the unit of fan-out.
        var rules = inputs.PredictionRules.Select((_, i) => new RuleRef(RuleRef.Prediction, i))
            .Concat(inputs.HasModel ? [] : inputs.TrainingRules.Select((_, i) => new RuleRef(RuleRef.Training, i)))
            .ToList();
        context.SetCustomStatus(new RunProgress("partitioning", 0, rules.Count));
        var partitioned = await Task.WhenAll(rules.Select(r =>
            context.CallActivityAsync<PartitionRecordsResult>(PartitionRecordsActivity.Name, new PartitionRecordsInput(run, recordBlobs, r, request.Partitions), Retry)));
        warnings.AddRange(partitioned.SelectMany(p => p.Warnings));
        var blocking = partitioned.Select(p => new RuleBlocking(
            p.Rule.ToString(),
            (p.Rule.Kind == RuleRef.Training ? inputs.TrainingRules : inputs.PredictionRules)[p.Rule.Index],
            p.Comparisons,
            p.LargestBlock,
            p.PairSampleRate)).ToList();
        foreach (var b in blocking)
        {
            logger.LogBlocking(run.RunId, b.Rule, b.Columns, b.Comparisons, b.LargestBlock, b.PairSampleRate);
        }

        Stage("block");

        // Train: term frequencies, u by sampling and λ, then m by EM on summed agreement-pattern histograms.
        context.SetCustomStatus(new RunProgress(request.Model is null ? "estimating u and lambda" : "term frequencies", 0, 1));
        var parameters = await context.CallActivityAsync<EstimateParametersResult>(EstimateParametersActivity.Name, new EstimateParametersInput(run, recordBlobs, Train: request.Model is null), Retry);
        string modelBlob;
        var iterations = 0;
        var converged = true;
        if (request.Model is { } savedModel)
        {
            modelBlob = savedModel;
        }
        else
        {
            var trainingShards = partitioned.Where(p => p.Rule.Kind == RuleRef.Training)
                .SelectMany(p => p.Shards().Select(s => new CountPatternsInput(run, s, p.Rule.Index, p.PairSampleRate)))
                .ToList();
            var histograms = await FanOutAsync(context, "counting patterns", trainingShards, input =>
                context.CallActivityAsync<CountPatternsResult>(CountPatternsActivity.Name, input, Retry));
            context.SetCustomStatus(new RunProgress("training (EM)", 0, 1));
            var trained = await context.CallActivityAsync<TrainModelResult>(TrainModelActivity.Name, new TrainModelInput(run, parameters.ParametersBlob!, histograms), Retry);
            (modelBlob, iterations, converged) = (trained.ModelBlob, trained.Iterations, trained.Converged);
            warnings.AddRange(trained.Warnings);
        }

        Stage("train");

        // Score every prediction partition with the trained model.
        var scoring = partitioned.Where(p => p.Rule.Kind == RuleRef.Prediction)
            .SelectMany(p => p.Shards().Select((s, i) => new ScorePartitionInput(run, s, p.Rule, i, modelBlob, parameters.TermFrequenciesBlob)))
            .ToList();
        var scored = await FanOutAsync(context, "scoring", scoring, input =>
            context.CallActivityAsync<ScorePartitionResult>(ScorePartitionActivity.Name, input, Retry));
        Stage("score");

        context.SetCustomStatus(new RunProgress("clustering", 0, 1));
        var clusters = await context.CallActivityAsync<ClusterRecordsResult>(ClusterRecordsActivity.Name, new ClusterRecordsInput(run, recordBlobs, scored.Select(s => s.EdgesBlob).ToList(), modelBlob, keyId, inputs.KeyFingerprint), Retry);
        warnings.AddRange(clusters.Warnings);
        Stage("cluster");

        // Case linking runs alone, not beside the share writers: both hold the magistrates' person-id mapping, and side by
        // side in one process they raised the share stage's peak by 1.3-2 GiB at 5 M people, to save 5-7 s (docs/pipeline.md).
        context.SetCustomStatus(new RunProgress("linking cases", 0, 1));
        var cases = await context.CallActivityAsync<LinkCasesResult>(LinkCasesActivity.Name, new LinkCasesInput(run, ingested.Select(i => new ExtractReference(i.Dataset, i.CaseLinkBlob ?? i.CleanBlob)).ToList(), request.ShareSpec, keyId, inputs.KeyFingerprint), Retry);
        Stage("case-link");

        // De-identify and write the share: one activity per dataset (the largest called first, as for ingest), then the catalogue.
        var written = InCallersOrder(largestFirst, await FanOutAsync(context, "writing share", largestFirst, i =>
            context.CallActivityAsync<WriteShareDatasetResult>(WriteShareDatasetActivity.Name, new WriteShareDatasetInput(run, cleanExtracts[i], request.ShareSpec, keyId, inputs.KeyFingerprint, ingested[i].Rejected > 0 ? ingested[i].Rejected : null), Retry)));
        var catalogue = await context.CallActivityAsync<WriteCatalogueResult>(WriteCatalogueActivity.Name, new WriteCatalogueInput(run, written, cases, modelBlob, request.ShareSpec, keyId, clusters.PersonIds), Retry);
        context.SetCustomStatus(new RunProgress("publishing", 0, 1));
        var published = await context.CallActivityAsync<PublishShareResult>(PublishShareActivity.Name, new PublishShareInput(run, catalogue.Files), Retry);
        Stage("share");
        if (!request.KeepWorking)
        {
            // The records, clean extracts, shards and edges hold personal data: gone once the share is out.
            context.SetCustomStatus(new RunProgress("removing intermediates", 0, 1));
            await context.CallActivityAsync<CleanWorkingResult>(CleanWorkingActivity.Name, new CleanWorkingInput(run), Retry);
        }

        context.SetCustomStatus(new RunProgress("completed", 1, 1));
        logger.LogRunCompleted(run.RunId, clusters.Clusters);

        return new LinkageRunResult(
            run.RunId,
            run.Share,
            run.Version,
            ingested.Sum(i => i.Rows),
            ingested.Sum(i => i.Rejected),
            scored.Sum(s => s.Comparisons),
            clusters.Clusters,
            cases.Links,
            iterations,
            converged,
            clusters.PersonIds,
            published.Location,
            warnings,
            stages,
            blocking);
    }

    /// <summary>Positions 0..count-1, largest size first; ties keep their order, and without sizes (histories written before
    /// they were kept) the order is unchanged, so a resumed run makes the calls its history recorded.</summary>
    private static int[] LargestFirst(IReadOnlyList<long>? sizes, int count) =>
        sizes is not null && sizes.Count == count ? [.. Enumerable.Range(0, count).OrderByDescending(i => sizes[i])] : [.. Enumerable.Range(0, count)];

    private static ShareColumnsNeeded? ShareColumnsOf(CheckInputsResult inputs, LinkageRunRequest request, int extract) =>
        inputs.ShareColumns is { } columns
            ? new ShareColumnsNeeded(columns.TryGetValue(request.Extracts[extract].Dataset, out var needed) ? needed : [], request.ShareSpec)
            : null;

    /// <summary>Results of calls made in <paramref name="order"/> (positions), put back at their positions.</summary>
    private static T[] InCallersOrder<T>(int[] order, IReadOnlyList<T> results)
    {
        var placed = new T[order.Length];
        for (var k = 0; k < order.Length; k++)
        {
            placed[order[k]] = results[k];
        }

        return placed;
    }

    /// <summary>Fans out one activity per item, reporting "{stage} done/total" as they complete.</summary>
    private static async Task<IReadOnlyList<TResult>> FanOutAsync<TItem, TResult>(IWorkflowContext context, string stage, IReadOnlyList<TItem> items, Func<TItem, Task<TResult>> call)
    {
        context.SetCustomStatus(new RunProgress(stage, 0, items.Count));
        var done = 0;
        var tasks = items.Select(async item =>
        {
            var result = await call(item);
            context.SetCustomStatus(new RunProgress(stage, Interlocked.Increment(ref done), items.Count));
            return result;
        }).ToList();
        return await Task.WhenAll(tasks);
    }
}

/// <summary>Custom status of a run: e.g. "scoring 37/128".</summary>
public sealed record RunProgress(string Stage, int Done, int Total)
{
    public override string ToString() => Total > 1 ? $"{Stage} {Done}/{Total}" : Stage;
}
