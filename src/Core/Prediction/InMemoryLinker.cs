using System.Diagnostics;
using DataFirst.Core.Blocking;
using DataFirst.Core.Clustering;
using DataFirst.Core.Ingest;
using DataFirst.Core.Training;

namespace DataFirst.Core.Prediction;

/// <summary>Figures of one in-memory run.</summary>
public sealed record LinkRun(
    LinkageModel Model,
    IReadOnlyList<Edge> Edges,
    ClusterResult Clusters,
    IReadOnlyList<ScoreResult> Scores,
    long Comparisons,
    IReadOnlyDictionary<string, double> StageSeconds,
    IReadOnlyList<string> Warnings);

/// <summary>The in-memory facade (used by `datafirst link` and `bench`), built from the partition primitives:
/// partition by each rule's key → score each partition → concatenate edges → connected components.</summary>
public static class InMemoryLinker
{
    /// <summary>Scores every prediction rule. With <paramref name="partitions"/> ≤ 1 (the default) the whole set is
    /// one partition: one compiled scorer, no record copies, blocks scored in parallel. With more partitions the
    /// records are hash-partitioned by each rule's key as the fan-out does (same edges either way).</summary>
    public static (List<Edge> Edges, List<ScoreResult> Scores) Predict(RecordSet records, LinkageModel model, TermFrequencyTables? tf = null, int partitions = 0, double? threshold = null, ICollection<string>? warnings = null)
    {
        tf ??= TermFrequencyTables.Compute(records, model.Settings);
        var edges = new List<Edge>();
        var scores = new List<ScoreResult>();
        var rules = model.Settings.BlockingRulesForPrediction;
        if (partitions <= 1)
        {
            foreach (var (result, e) in PartitionScorer.ScoreAllRules(new CompiledScorer(model, records, tf), records, threshold, warnings))
            {
                edges.AddRange(e);
                scores.Add(result);
            }

            return (edges, scores);
        }

        for (var r = 0; r < rules.Count; r++)
        {
            long comparisons = 0;
            long found = 0;
            foreach (var rows in BlockingPartitioner.Partition(records, rules[r], partitions))
            {
                if (rows.Length < 2)
                {
                    continue;
                }

                var (result, e) = PartitionScorer.ScorePartition(records.Select(rows), model, r, tf, threshold, warnings);
                comparisons += result.Comparisons;
                found += e.Count;
                edges.AddRange(e);
            }

            scores.Add(new ScoreResult(r, comparisons, found));
        }

        return (edges, scores);
    }

    /// <summary>Clusters <paramref name="edges"/> at <paramref name="threshold"/> (default: the model's match_threshold)
    /// with the model's <c>clustering</c>; average and complete linkage score cross pairs that are not edges with the
    /// model (compiled over <paramref name="records"/> only when first needed), so for them the edges' row ids must be
    /// the records' positions (true of a set read whole, not of a partition).</summary>
    public static ClusterResult Cluster(RecordSet records, LinkageModel model, TermFrequencyTables? tf, IEnumerable<Edge> edges, double? threshold = null)
    {
        var linkage = ConnectedComponents.ParseLinkage(model.Settings.Clustering);
        Func<int, int, double>? probability = null;
        if (linkage is ClusterLinkage.AverageLinkage or ClusterLinkage.CompleteLinkage)
        {
            for (var i = 0; i < records.Count; i++)
            {
                if (records.RowId(i) != i)
                {
                    throw new Settings.DataException($"{model.Settings.Clustering} needs the whole record set (row ids equal to positions); record {i} has row id {records.RowId(i)}.");
                }
            }

            var scorer = new Lazy<CompiledScorer>(() => new CompiledScorer(model, records, tf));
            probability = (a, b) => CompiledScorer.Probability(scorer.Value.Score(a, b, double.NegativeInfinity));
        }

        return ConnectedComponents.Cluster(records.Count, edges, threshold ?? model.Settings.MatchThreshold, linkage, probability);
    }

    /// <summary>Trains (unless <paramref name="model"/> is given), predicts and clusters.</summary>
    public static LinkRun Run(RecordSet records, Settings.LinkageSettings settings, LinkageModel? model, DateTimeOffset nowUtc)
    {
        var warnings = new List<string>(records.Report?.Warnings ?? []);
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        var sw = Stopwatch.StartNew();
        if (model is null)
        {
            model = ModelTrainer.Train(records, settings, nowUtc, warnings: warnings);
            stages["train"] = sw.Elapsed.TotalSeconds;
        }
        else
        {
            model = model with { Settings = model.Settings with { MatchThreshold = settings.MatchThreshold } };
        }

        sw.Restart();
        var tf = TermFrequencyTables.Compute(records, model.Settings);
        var (edges, scores) = Predict(records, model, tf, warnings: warnings);
        stages["predict"] = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var clusters = Cluster(records, model, tf, edges);
        stages["cluster"] = sw.Elapsed.TotalSeconds;
        foreach (var s in clusters.Metrics.Suspicious.Take(5))
        {
            warnings.Add($"cluster {s.ClusterId}: {s.Size} records joined by only {s.Edges} links (density {s.Density:0.000}); check for chained false links.");
        }

        return new LinkRun(model, edges, clusters, scores, scores.Sum(s => s.Comparisons), stages, warnings);
    }
}
