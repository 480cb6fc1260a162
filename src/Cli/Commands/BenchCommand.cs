using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataFirst.Core.Clustering;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Ingest;
using DataFirst.Core.Prediction;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Cli.Commands;

/// <summary>`datafirst bench`: synthetic person data → train + predict + cluster, with timings and accuracy.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var records = new Option<int>("--records") { Description = "Records to generate (about 25% duplicates).", DefaultValueFactory = _ => 1_000_000 };
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 7 };
        var justice = new Option<bool>("--justice") { Description = "Generate justice extracts (magistrates, Crown Court, prisons, probation, family), map them as the pipeline's ingest does, link them in memory and score against truth/persons.csv." };
        var people = new Option<int>("--people") { Description = "People to simulate for --justice.", DefaultValueFactory = _ => 20_000 };
        var settings = new Option<string?>("--settings") { Description = "Linkage settings for --justice (default: the built-in justice settings, examples/justice.json)." };
        var command = new Command("bench", "Generate synthetic people, run the linkage engine, print figures (JSON on the last line).") { records, seed, justice, people, settings };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(justice))
            {
                var p = parse.GetValue(people);
                if (p < 10)
                {
                    throw new CliUsageException("--people must be at least 10.");
                }

                // A settings mistake (exit 2) or an engine failure (exit 1) is reported on one line by CliApp.
                await BenchJustice.RunAsync(p, parse.GetValue(seed), parse.GetValue(settings), parse.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);

                return CliApp.ExitOk;
            }

            if (parse.GetValue(settings) is not null)
            {
                throw new CliUsageException("--settings applies to --justice only; the synthetic bench uses its own settings.");
            }

            var n = parse.GetValue(records);
            if (n < 100)
            {
                throw new CliUsageException("--records must be at least 100.");
            }

            Run(n, parse.GetValue(seed), parse.InvocationConfiguration.Output);
            return CliApp.ExitOk;
        });
        return command;
    }

    private static void Run(int n, int seed, TextWriter output)
    {
        var loadBefore = LoadAverage();
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        var sw = Stopwatch.StartNew();
        var rows = SyntheticPeople.Generate(n, 0.25, seed);
        stages["generate"] = sw.Elapsed.TotalSeconds;
        output.WriteLine($"generated {rows.Count} records in {stages["generate"]:0.00}s");
        var total = Stopwatch.StartNew();
        sw.Restart();
        var settings = LinkageSettings.Parse(SyntheticPeople.BenchSettings);
        var set = new RecordSetBuilder(settings).AddRows(SyntheticPeople.Header, rows, "synthetic").Build();
        var truth = rows.Select(r => r[1]!).ToList();
        rows.Clear();
        stages["ingest"] = sw.Elapsed.TotalSeconds;
        var (model, tf, edges, scores, clusters) = RunEngineStages(set, settings, stages);
        var engineSeconds = total.Elapsed.TotalSeconds;
        var comparisons = scores.Sum(s => s.Comparisons);
        var quality = LinkageMetrics.Compare(clusters.ClusterIds.Select(x => x.ToString(CultureInfo.InvariantCulture)).ToList(), truth);

        // Scoring kernel throughput on one core: the first rule's partitions scored on one thread.
        var kernel = MeasureKernel(set, model, tf);
        var cores = Environment.ProcessorCount;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        // After the peak is read: the engine's figure does not include this measurement's own blobs and sets.
        var load = MeasureRecordSetLoad(set, RecordSetLoadParts);
        var loadAfter = LoadAverage();
        var perCore = comparisons / stages["predict"] / cores;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"records {set.Count}, comparisons {comparisons}, edges {edges.Count}, clusters {clusters.Metrics.Clusters}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scoring stage end to end (predict {stages["predict"]:0.000}s: compile model, block, score every rule; {cores} cores): {perCore / 1e6:0.00} M comparisons/s per core"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scoring kernel (pairs of one rule, one thread, compile included): {kernel / 1e6:0.00} M comparisons/s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stages: {string.Join(", ", stages.Select(kv => $"{kv.Key} {kv.Value:0.000}s"))}; ingest+train+predict+cluster {engineSeconds:0.00}s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy vs generator truth: precision {quality.Precision:0.0000}, recall {quality.Recall:0.0000}, F1 {quality.F1:0.0000}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"record set as the pipeline's activities load it from {RecordSetLoadParts} blobs: {load.ResultMiB:0} MiB held, {load.AllocatedMiB:0} MiB allocated while loading (decoding each part whole, then copying all into one set, would hold the parts' {load.PartsMiB:0} MiB beside the result)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak memory {peak / 1048576.0:0} MiB; load average (1/5/15 min) before {Describe(loadBefore)}, after {Describe(loadAfter)} on {cores} cores (figures are noisy when the load exceeds the cores)"));
        output.WriteLine(JsonSerializer.Serialize(new
        {
            records = set.Count,
            comparisons,
            edges = edges.Count,
            clusters = clusters.Metrics.Clusters,
            cores,
            seconds = StageSeconds.ForJson(stages),
            engine_seconds = Math.Round(engineSeconds, 3),
            scoring_comparisons_per_second_per_core = Math.Round(perCore),
            kernel_comparisons_per_second_single_thread = Math.Round(kernel),
            precision = Math.Round(quality.Precision, 5),
            recall = Math.Round(quality.Recall, 5),
            f1 = Math.Round(quality.F1, 5),
            peak_memory_mib = Math.Round(peak / 1048576.0),
            record_set_mib = Math.Round(load.ResultMiB, 1),
            record_set_load_allocated_mib = Math.Round(load.AllocatedMiB, 1),
            record_set_parts_mib = Math.Round(load.PartsMiB, 1),
            load_average_before = loadBefore,
            load_average_after = loadAfter,
        }));
    }

    /// <summary>1, 5 and 15 minute load averages (Linux /proc/loadavg), null where not available.</summary>
    internal static double[]? LoadAverage()
    {
        try
        {
            if (!File.Exists("/proc/loadavg"))
            {
                return null;
            }

            var parts = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Take(3).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.FormatException)
        {
            return null;
        }
    }

    private static string Describe(double[]? load) =>
        load is null ? "n/a" : string.Join("/", load.Select(x => x.ToString("0.00", CultureInfo.InvariantCulture)));

    private static double MeasureKernel(RecordSet set, LinkageModel model, TermFrequencyTables tf)
    {
        // Pairs blocked on date of birth alone: many pairs, mostly non-matches, as in real scoring.
        var sample = Math.Min(set.Count, 300_000);
        var sub = set.Select(Enumerable.Range(0, sample).ToArray());
        model = model with { Settings = model.Settings with { BlockingRulesForPrediction = [["date_of_birth"]] } };
        // Compile once per rule outside the timing is not possible through the public API; compilation is
        // per distinct value and small next to scoring.
        var sw = Stopwatch.StartNew();
        long count = 0;
        for (var r = 0; r < model.Settings.BlockingRulesForPrediction.Count; r++)
        {
            count += PartitionScorer.ScorePartition(sub, model, r, tf, maxDegreeOfParallelism: 1).Result.Comparisons;
        }

        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>The blobs the record set is split into for <see cref="MeasureRecordSetLoad"/>: a run's person-level
    /// extracts (the justice generator writes eleven).</summary>
    private const int RecordSetLoadParts = 11;

    /// <summary>
    /// Memory of loading the record set the way the pipeline's partition, estimate and cluster activities do: written as
    /// <paramref name="parts"/> blobs (here byte arrays), read back into one set through <see cref="RecordSetConcatenation"/>.
    /// Reports the managed heap the result holds, the bytes allocated while loading it (an upper bound on its transient
    /// peak), and what the parts would hold if each were decoded whole first (<see cref="RecordSet.ReadFrom"/>), as
    /// activities did before the concatenation read them straight into one set.
    /// </summary>
    private static (double ResultMiB, double AllocatedMiB, double PartsMiB) MeasureRecordSetLoad(RecordSet set, int parts)
    {
        var blobs = Enumerable.Range(0, parts).Select(p =>
        {
            var from = (int)((long)set.Count * p / parts);
            var to = (int)((long)set.Count * (p + 1) / parts);
            using var stream = new MemoryStream();
            set.Select(Enumerable.Range(from, to - from).ToArray()).WriteTo(stream);
            return stream.ToArray();
        }).ToList();

        const double MiB = 1048576.0;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var total = blobs.Sum(b => RecordSet.ReadCount(new MemoryStream(b, writable: false)).Count);
        var all = new RecordSetConcatenation(set.ColumnNames, total);
        foreach (var blob in blobs)
        {
            all.Append(new MemoryStream(blob, writable: false));
        }

        var result = all.Build();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        all = null;
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(result);
        result = null;

        before = GC.GetTotalMemory(forceFullCollection: true);
        var decoded = blobs.Select(b => RecordSet.ReadFrom(new MemoryStream(b, writable: false))).ToList();
        var partsHeld = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(decoded);
        return (held / MiB, allocated / MiB, partsHeld / MiB);
    }

    /// <summary>Train, term frequencies, predict and cluster, each timed into <paramref name="stages"/>.</summary>
    internal static (LinkageModel Model, TermFrequencyTables Tf, List<Edge> Edges, List<ScoreResult> Scores, ClusterResult Clusters) RunEngineStages(RecordSet set, LinkageSettings settings, Dictionary<string, double> stages)
    {
        var sw = Stopwatch.StartNew();
        var model = ModelTrainer.Train(set, settings, DateTimeOffset.UtcNow);
        stages["train"] = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var tf = TermFrequencyTables.Compute(set, settings);
        stages["term_frequencies"] = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var (edges, scores) = InMemoryLinker.Predict(set, model, tf);
        stages["predict"] = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var clusters = InMemoryLinker.Cluster(set, model, tf, edges);
        stages["cluster"] = sw.Elapsed.TotalSeconds;
        return (model, tf, edges, scores, clusters);
    }
}
