using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DataFirst.Core.Clustering;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Prediction;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Cli.Commands;

/// <summary>`datafirst evaluate`: clusters against a truth column or labelled pairs; or the evaluation suite.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var clusters = new Option<string?>("--clusters") { Description = "clusters.csv written by `datafirst link`." };
        var truth = new Option<string?>("--truth") { Description = "CSV holding the true entity of each record (a blank label means unknown: the record is left out of scoring, with a warning)." };
        var truthColumn = new Option<string?>("--truth-column") { Description = "Column of --truth holding the entity label." };
        var truthId = new Option<string>("--truth-id-column") { Description = "Column of --truth holding the unique id.", DefaultValueFactory = _ => "unique_id" };
        var truthDataset = new Option<string?>("--truth-dataset-column") { Description = "Column of --truth holding the source dataset (default: source_dataset when the file has it). Needed only when the run's datasets share unique ids." };
        var truthPattern = new Option<string?>("--truth-pattern") { Description = "Regex with exactly one capture group, the entity label (e.g. ^rec-(\\d+)- for FEBRL); a non-blank value it does not match is an error." };
        var labels = new Option<string?>("--labels") { Description = "Labelled pairs CSV: unique_id_l, unique_id_r, clerical_match_score (0 to 1, a match from 0.5) or match (true/false). Not with --truth." };
        var suite = new Option<bool>("--suite") { Description = "Run examples/evaluation.json against the public datasets." };
        var predictions = new Option<string?>("--predictions") { Description = "predictions.csv written by `datafirst link`: adds a threshold sweep (precision/recall/F1 per threshold)." };
        var examples = new Option<string>("--examples") { Description = "Examples folder for --suite.", DefaultValueFactory = _ => "examples" };
        var command = new Command("evaluate", "Pairwise precision/recall/F1 and B-cubed of clusters against the truth, or the evaluation suite.")
        {
            clusters, truth, truthColumn, truthId, truthDataset, truthPattern, labels, predictions, suite, examples,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                if (parse.GetValue(suite))
                {
                    return Task.FromResult(RunSuite(parse.GetValue(examples)!, output));
                }

                var clustersPath = CliPaths.RequireExistingFile(parse.GetValue(clusters) ?? throw new CliUsageException("--clusters is required (or use --suite)."), "--clusters");
                if (parse.GetValue(labels) is not null && parse.GetValue(truth) is not null)
                {
                    throw new CliUsageException("--truth and --labels: give one (the labelled pairs or the truth column), not both.");
                }

                if (parse.GetValue(truth) is null && new Option[] { truthColumn, truthPattern, truthDataset, truthId }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } orphan)
                {
                    throw new CliUsageException($"{orphan.Name} applies to --truth, which is not given.");
                }

                if (parse.GetValue(truthPattern) is { } tp && EvaluationSuite.TruthPatternProblem(tp) is { } problem)
                {
                    throw new CliUsageException($"--truth-pattern {problem}");
                }

                var run = RunClusters.Read(clustersPath, $"--clusters '{clustersPath}'");
                var predictionsPath = parse.GetValue(predictions) is { } pp ? CliPaths.RequireExistingFile(pp, "--predictions") : null;
                var edges = predictionsPath is null ? null : ReadPredictions(predictionsPath, run, error);
                var (linkage, runThreshold) = predictionsPath is null ? (ClusterLinkage.ConnectedComponents, null) : SweepLinkage(predictionsPath, output);
                if (parse.GetValue(labels) is { } labelsPath)
                {
                    List<object>? sweepJson = null;
                    var (labelled, outside) = ReadLabels(CliPaths.RequireExistingFile(labelsPath, "--labels"), run, error);
                    var r = LinkageMetrics.CompareLabels<RecordRef?>(rec => rec is { } x ? run.ClusterOf(x) : null, labelled);
                    if (edges is not null)
                    {
                        var rows = Sweep(run.Records, edges, linkage, runThreshold).Select(x =>
                        {
                            var l = LinkageMetrics.CompareLabels<RecordRef?>(rec => rec is { } y ? x.ClusterOf.GetValueOrDefault(y) : null, labelled);
                            return new SweepLine(x.Threshold, l.Precision, l.Recall, l.F1, x.Clusters);
                        }).ToList();
                        PrintSweep(output, rows, edges);
                        sweepJson = rows.Select(SweepJson).ToList();
                    }

                    if (outside > 0)
                    {
                        error.WriteLine($"warning: {outside} labelled pair(s) name a record that is not in --clusters: they count as not linked (a labelled match among them is a missed link).");
                    }

                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"labelled pairs: precision {r.Precision:0.0000}, recall {r.Recall:0.0000}, F1 {r.F1:0.0000} (TP {r.TruePositives}, FP {r.FalsePositives}, FN {r.FalseNegatives})"));
                    output.WriteLine(JsonSerializer.Serialize(new { precision = r.Precision, recall = r.Recall, f1 = r.F1, true_positives = r.TruePositives, false_positives = r.FalsePositives, false_negatives = r.FalseNegatives, labelled_pairs_outside_clusters = outside, sweep = sweepJson }));
                    return Task.FromResult(CliApp.ExitOk);
                }

                var truthPath = CliPaths.RequireExistingFile(parse.GetValue(truth) ?? throw new CliUsageException("give --truth FILE --truth-column COL, or --labels PAIRS.csv."), "--truth");
                var col = parse.GetValue(truthColumn) ?? throw new CliUsageException("--truth-column is required with --truth.");
                var (truthMap, blank) = ReadTruth(truthPath, parse.GetValue(truthId)!, col, parse.GetValue(truthPattern), parse.GetValue(truthDataset), run);
                var ids = run.Records.Where(truthMap.ContainsKey).ToList();
                if (ids.Count == 0)
                {
                    throw new CliFailureException(blank > 0
                        ? $"--truth '{truthPath}': every record of --clusters it names has a blank '{col}': nothing to score."
                        : $"no unique id of --clusters appears in --truth column '{parse.GetValue(truthId)}'.");
                }

                // A blank truth label means the entity is unknown, not that all such records are one entity (which scores
                // every pair of them as a true link) nor that each is alone (which scores every link the run made to one
                // as a false positive): they are left out of scoring, and the count is shown.
                if (blank > 0)
                {
                    error.WriteLine($"warning: {blank} record(s) of --clusters have a blank '{col}' in --truth: they are left out of scoring.");
                }

                var absent = run.Records.Count - ids.Count - blank;
                if (absent > 0)
                {
                    error.WriteLine($"warning: {absent} record(s) of --clusters are not in --truth: they are left out of scoring (the figures cover the {ids.Count} records that have a truth label).");
                }

                List<object>? sweep = null;
                var truthLabels = ids.Select(i => truthMap[i]).ToList();
                var m = LinkageMetrics.Compare(ids.Select(i => run.ClusterOf(i)!).ToList(), truthLabels);
                if (edges is not null)
                {
                    var rows = Sweep(ids, edges, linkage, runThreshold).Select(x =>
                    {
                        var q = LinkageMetrics.Compare(ids.Select(i => x.ClusterOf[i]).ToList(), truthLabels);
                        return new SweepLine(x.Threshold, q.Precision, q.Recall, q.F1, x.Clusters);
                    }).ToList();
                    PrintSweep(output, rows, edges);
                    sweep = rows.Select(SweepJson).ToList();
                }

                Print(output, m, ids.Count);
                var json = JsonSerializer.SerializeToNode(Json(m, ids.Count))!.AsObject();
                json["records_blank_truth"] = blank;
                json["records_not_in_truth"] = absent;
                if (sweep is not null)
                {
                    json["sweep"] = JsonSerializer.SerializeToNode(sweep);
                }

                output.WriteLine(json.ToJsonString());
                return Task.FromResult(CliApp.ExitOk);
            }
            catch (LinkageException ex)
            {
                throw new CliFailureException(ex.Message);
            }
        });
        return command;
    }

    private static int RunSuite(string examplesDir, TextWriter output)
    {
        var examples = Path.GetFullPath(examplesDir);
        if (!File.Exists(Path.Combine(examples, "evaluation.json")))
        {
            throw new CliUsageException($"--examples: '{examples}' has no evaluation.json.");
        }

        var root = EvaluationSuite.FindRepoRoot(examples) ?? Directory.GetCurrentDirectory();
        var datasets = EvaluationSuite.LocateDatasets(root);
        if (datasets is null)
        {
            output.WriteLine("evaluation suite SKIPPED: datasets folder not found (set DATAFIRST_DATASETS or provide ../shared/datasets next to the repo).");
            output.WriteLine(JsonSerializer.Serialize(new { skipped = true }));
            return CliApp.ExitOk;
        }

        var results = new List<object>();
        var allPassed = true;
        foreach (var c in EvaluationSuite.LoadCases(examples))
        {
            if (!File.Exists(Path.Combine(datasets, c.Dataset)))
            {
                output.WriteLine($"{c.Name}: SKIPPED ({c.Dataset} not in {datasets})");
                continue;
            }

            var r = EvaluationSuite.RunCase(c, examples, datasets, DateTimeOffset.UtcNow);
            allPassed &= r.Passed;
            if (r.RecordsBlankTruth > 0)
            {
                output.WriteLine($"{r.Name}: warning: {r.RecordsBlankTruth} record(s) have a blank '{c.TruthColumn}': they are left out of scoring.");
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name}: {r.Records} records, {r.Comparisons} comparisons, threshold {r.Threshold}: precision {r.Metrics.Precision:0.0000} recall {r.Metrics.Recall:0.0000} F1 {r.Metrics.F1:0.0000} (target {r.MinF1}) {(r.Passed ? "PASS" : "FAIL")} in {r.Seconds:0.00}s"));
            output.WriteLine("  threshold  precision  recall    F1        B3-F1   clusters");
            foreach (var s in r.Sweep)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.Threshold,-9}  {s.Metrics.Precision:0.0000}     {s.Metrics.Recall:0.0000}    {s.Metrics.F1:0.0000}    {s.Metrics.BCubedF1:0.0000}  {s.Clusters}"));
            }

            results.Add(new { name = r.Name, records = r.Records, comparisons = r.Comparisons, threshold = r.Threshold, precision = Math.Round(r.Metrics.Precision, 5), recall = Math.Round(r.Metrics.Recall, 5), f1 = Math.Round(r.Metrics.F1, 5), bcubed_f1 = Math.Round(r.Metrics.BCubedF1, 5), min_f1 = r.MinF1, records_blank_truth = r.RecordsBlankTruth, passed = r.Passed, seconds = Math.Round(r.Seconds, 2) });
        }

        output.WriteLine(JsonSerializer.Serialize(new { passed = allPassed, cases = results }));
        return allPassed ? CliApp.ExitOk : CliApp.ExitFailure;
    }

    private sealed record SweepLine(double Threshold, double Precision, double Recall, double F1, int Clusters);

    private static object SweepJson(SweepLine r) => new { threshold = r.Threshold, precision = Math.Round(r.Precision, 5), recall = Math.Round(r.Recall, 5), f1 = Math.Round(r.F1, 5), clusters = r.Clusters };

    /// <summary>Clusters the predictions at each sweep threshold with <paramref name="linkage"/> (connected components or
    /// size_aware: both need only the pairs at or above the threshold, which predictions.csv holds).</summary>
    private static IEnumerable<(double Threshold, Dictionary<RecordRef, string> ClusterOf, int Clusters)> Sweep(IReadOnlyList<RecordRef> records, List<(RecordRef A, RecordRef B, double P)> edges, ClusterLinkage linkage, double? runThreshold)
    {
        var nodes = records.Distinct().ToList();
        var index = nodes.Select((record, i) => (record, i)).ToDictionary(x => x.record, x => x.i);
        var graph = new List<Edge>(edges.Count);
        foreach (var (a, b, p) in edges)
        {
            if (index.TryGetValue(a, out var ia) && index.TryGetValue(b, out var ib))
            {
                graph.Add(new Edge(ia, ib, (float)Math.Log2(p / (1 - p)), (float)p));
            }
        }

        // predictions.csv holds the pairs at or above the run's threshold: sweep from there, the run's own threshold
        // (from model.json) included as the suite does, even when every prediction is well above it; from the lowest
        // probability, rounded down, when that is lower or there is no model.json.
        var lowestProbability = edges.Count == 0 ? 1.0 : Math.Floor(edges.Min(e => e.P) * 100) / 100;
        var lowest = runThreshold is { } run ? Math.Min(run, lowestProbability) : lowestProbability;
        var thresholds = runThreshold is { } own ? EvaluationSuite.SweepThresholds.Append(own).Distinct().Order() : EvaluationSuite.SweepThresholds.AsEnumerable();
        foreach (var t in thresholds.Where(t => t >= lowest - 1e-9))
        {
            var result = ConnectedComponents.Cluster(nodes.Count, graph, t, linkage, null);
            var map = new Dictionary<RecordRef, string>(nodes.Count);
            for (var i = 0; i < nodes.Count; i++)
            {
                map[nodes[i]] = result.ClusterIds[i].ToString(CultureInfo.InvariantCulture);
            }

            yield return (t, map, result.Metrics.Clusters);
        }
    }

    /// <summary>The run's clustering, from model.json next to predictions.csv: size_aware is swept as such; average and
    /// complete linkage need the model and the records, so the sweep falls back to connected components and says so.</summary>
    private static (ClusterLinkage Linkage, double? MatchThreshold) SweepLinkage(string predictionsPath, TextWriter output)
    {
        var modelPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(predictionsPath))!, "model.json");
        if (!File.Exists(modelPath))
        {
            return (ClusterLinkage.ConnectedComponents, null);
        }

        ClusterLinkage linkage;
        double threshold;
        try
        {
            var settings = LinkageModel.FromJson(File.ReadAllText(modelPath)).Settings;
            linkage = ConnectedComponents.ParseLinkage(settings.Clustering);
            threshold = settings.MatchThreshold;
        }
        catch (SettingsException ex)
        {
            throw new CliFailureException($"'{modelPath}' (read for the sweep's clustering): {ex.Message} Fix or remove it to sweep with connected components.");
        }

        if (linkage is ClusterLinkage.AverageLinkage or ClusterLinkage.CompleteLinkage)
        {
            output.WriteLine("sweep: connected components (the run's linkage clustering needs the model and the records; the headline figures are the run's own clusters).");
            return (ClusterLinkage.ConnectedComponents, threshold);
        }

        return (linkage, threshold);
    }

    private static void PrintSweep(TextWriter output, List<SweepLine> rows, List<(RecordRef A, RecordRef B, double P)> edges)
    {
        var lowest = edges.Count == 0 ? 1.0 : edges.Min(e => e.P);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threshold sweep over {edges.Count} predictions (lowest probability {lowest:0.###}: thresholds under the run's match_threshold are not shown):"));
        output.WriteLine("  threshold  precision  recall    F1        clusters");
        foreach (var r in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Threshold,-9}  {r.Precision:0.0000}     {r.Recall:0.0000}    {r.F1:0.0000}    {r.Clusters}"));
        }
    }

    /// <summary>predictions.csv's pairs of records the run's clusters hold (source_dataset_l/_r used when the run has
    /// several datasets).</summary>
    private static List<(RecordRef A, RecordRef B, double P)> ReadPredictions(string path, RunClusters run, TextWriter error)
    {
        var source = $"--predictions '{path}'";
        var list = new List<(RecordRef, RecordRef, double)>();
        var rows = 0;
        foreach (var (v, line) in ReadPairs(path, source, ["match_probability"]))
        {
            rows++;
            if (!double.TryParse(v[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var prob) || !(prob is >= 0 and <= 1))
            {
                throw new CliFailureException($"{source} line {line}: match_probability is not a number from 0 to 1.");
            }

            var a = run.Resolve(v[0], v[3], source, line);
            var b = run.Resolve(v[1], v[4], source, line);
            if (a is { } ra && b is { } rb)
            {
                list.Add((ra, rb, prob));
            }
        }

        // Pairs of records --clusters lacks cannot be swept: none resolving means the file is another run's.
        if (rows > 0 && list.Count == 0)
        {
            throw new CliFailureException($"{source}: none of its {rows} pair(s) names two records of --clusters; give the predictions.csv of the same run.");
        }

        if (list.Count < rows)
        {
            error.WriteLine($"warning: {rows - list.Count} of the {rows} pair(s) in --predictions name a record that is not in --clusters: the sweep leaves them out.");
        }

        return list;
    }

    /// <summary>A pairs file's rows: unique_id_l, unique_id_r, the <paramref name="value"/> column, then
    /// source_dataset_l and source_dataset_r ("" when the file has none).</summary>
    private static IEnumerable<(string[] Values, long Line)> ReadPairs(string path, string source, string[] value) =>
        CsvColumnFile.ReadRows(path, source, [["unique_id_l"], ["unique_id_r"], value], [["source_dataset_l"], ["source_dataset_r"]]);

    private static void Print(TextWriter output, QualityMetrics m, int records) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{records} records: pairwise precision {m.Precision:0.0000}, recall {m.Recall:0.0000}, F1 {m.F1:0.0000}; B-cubed precision {m.BCubedPrecision:0.0000}, recall {m.BCubedRecall:0.0000}, F1 {m.BCubedF1:0.0000}"));

    private static object Json(QualityMetrics m, int records) => new
    {
        records,
        precision = m.Precision,
        recall = m.Recall,
        f1 = m.F1,
        bcubed_precision = m.BCubedPrecision,
        bcubed_recall = m.BCubedRecall,
        bcubed_f1 = m.BCubedF1,
        true_positive_pairs = m.TruePositivePairs,
        predicted_pairs = m.PredictedPairs,
        true_pairs = m.TruePairs,
    };

    /// <summary>The truth label of each of the run's records that --truth names; --truth-dataset-column, when given,
    /// must be in the file, and source_dataset is used when present.</summary>
    private static (Dictionary<RecordRef, string> Truth, int Blank) ReadTruth(string path, string idColumn, string truthColumn, string? pattern, string? datasetColumn, RunClusters run)
    {
        var source = $"--truth '{path}'";
        var truth = new Dictionary<RecordRef, string>();
        var blank = new HashSet<RecordRef>();
        foreach (var (id, dataset, label, line) in EvaluationSuite.ReadTruthRows(path, source, idColumn, truthColumn, pattern, datasetColumn ?? "source_dataset", datasetRequired: datasetColumn is not null))
        {
            if (run.Resolve(id, dataset, source, line) is { } record)
            {
                if (label.Length == 0)
                {
                    blank.Add(record);
                }
                else
                {
                    EvaluationSuite.AddTruth(truth, record, label, source, line);
                }
            }
        }

        // A record given a label on one line and a blank on another keeps its label.
        blank.ExceptWith(truth.Keys);
        return (truth, blank.Count);
    }

    /// <summary>The labelled pairs, each record resolved against the run (null when the run has no such record), and how
    /// many pairs name a record the run does not have. A pair given again with the same label is scored once (with a
    /// warning); with the other label, a score that is not a number from 0 to 1, a record paired with itself, or no pair
    /// at all fails naming the file and line.</summary>
    private static (List<(RecordRef?, RecordRef?, bool)> Pairs, int Outside) ReadLabels(string path, RunClusters run, TextWriter error)
    {
        var source = $"--labels '{path}'";
        var list = new List<(RecordRef?, RecordRef?, bool)>();
        var seen = new Dictionary<(RecordRef, RecordRef), (bool Match, long Line)>();
        var outside = 0;
        var repeated = 0;
        foreach (var (v, line) in ReadPairs(path, source, ["clerical_match_score", "match"]))
        {
            var match = double.TryParse(v[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var score)
                ? score is >= 0 and <= 1 ? score >= 0.5 : throw new CliFailureException($"{source} line {line}: the match score is not a number from 0 to 1.")
                : bool.TryParse(v[2], out var flag) ? flag
                : throw new CliFailureException($"{source} line {line}: the match label is neither a score (1/0) nor true/false.");
            var l = run.Resolve(v[0], v[3], source, line);
            var r = run.Resolve(v[1], v[4], source, line);
            var left = l ?? new RecordRef(v[3], v[0]);
            var right = r ?? new RecordRef(v[4], v[1]);
            if (left == right)
            {
                throw new CliFailureException($"{source} line {line}: a record paired with itself; a labelled pair needs two records.");
            }

            var key = Compare(left, right) < 0 ? (left, right) : (right, left);
            if (seen.TryGetValue(key, out var earlier))
            {
                if (earlier.Match != match)
                {
                    throw new CliFailureException($"{source} line {line}: the pair of line {earlier.Line} (in either order) with the other label; each pair must have one label.");
                }

                repeated++;
                continue;
            }

            seen[key] = (match, line);
            outside += l is null || r is null ? 1 : 0;
            list.Add((l, r, match));
        }

        if (list.Count == 0)
        {
            throw new CliFailureException($"{source}: no labelled pairs (the file has a header only); nothing to score.");
        }

        if (repeated > 0)
        {
            error.WriteLine($"warning: {repeated} labelled pair(s) in --labels repeat an earlier line's pair and label: each pair is scored once.");
        }

        return (list, outside);

        static int Compare(RecordRef a, RecordRef b) =>
            string.CompareOrdinal(a.Dataset, b.Dataset) is var c and not 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    }
}
