using System.Buffers.Binary;
using DataFirst.Core.Blocking;
using DataFirst.Core.Comparisons;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Prediction;

/// <summary>A scored pair: row ids (<see cref="RecordSet.RowId"/>) of both records, match weight, probability.</summary>
public readonly record struct Edge(int RowA, int RowB, float Weight, float Probability);

/// <summary>Edges as a compact binary stream: magic, then 16 bytes per edge.</summary>
public static class EdgeStream
{
    private const int Magic = 0x45474644; // "DFGE"

    public static void Write(Stream stream, IEnumerable<Edge> edges)
    {
        Span<byte> buf = stackalloc byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(buf, Magic);
        stream.Write(buf[..4]);
        foreach (var e in edges)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buf, e.RowA);
            BinaryPrimitives.WriteInt32LittleEndian(buf[4..], e.RowB);
            BinaryPrimitives.WriteSingleLittleEndian(buf[8..], e.Weight);
            BinaryPrimitives.WriteSingleLittleEndian(buf[12..], e.Probability);
            stream.Write(buf);
        }
    }

    public static IEnumerable<Edge> Read(Stream stream)
    {
        var head = new byte[4];
        if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4 || BinaryPrimitives.ReadInt32LittleEndian(head) != Magic)
        {
            throw new Settings.FormatException("not a DataFirst edge stream (bad magic number).");
        }

        var buf = new byte[16];
        while (true)
        {
            var n = stream.ReadAtLeast(buf, 16, throwOnEndOfStream: false);
            if (n == 0)
            {
                yield break;
            }

            if (n < 16)
            {
                throw new Settings.FormatException("edge stream is truncated.");
            }

            yield return new Edge(
                BinaryPrimitives.ReadInt32LittleEndian(buf),
                BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(4)),
                BinaryPrimitives.ReadSingleLittleEndian(buf.AsSpan(8)),
                BinaryPrimitives.ReadSingleLittleEndian(buf.AsSpan(12)));
        }
    }
}

/// <summary>One step of a waterfall explanation (level label only, never values).</summary>
public sealed record WaterfallStep(string Comparison, int Level, string LevelLabel, double M, double U, double BayesFactorWeight, double TfAdjustment);

public sealed record Waterfall(double PriorWeight, IReadOnlyList<WaterfallStep> Steps, double MatchWeight, double Probability);

/// <summary>A model compiled against a record set: weight tables, TF per value code, early-exit bounds.</summary>
internal sealed class CompiledScorer
{
    private readonly ComparisonVectorizer vectorizer;
    private readonly double[][] weights;
    private readonly int[] tfLevel;
    private readonly double[][] tfAdjust;
    private readonly double[] maxRemaining;
    private readonly double prior;

    public CompiledScorer(LinkageModel model, RecordSet records, TermFrequencyTables? tf)
    {
        Model = model;
        var specs = ComparisonSpec.FromSettings(model.Settings);
        vectorizer = new ComparisonVectorizer(specs, records);
        prior = Math.Log2(model.Lambda / (1 - model.Lambda));
        var nc = specs.Count;
        weights = new double[nc][];
        tfLevel = new int[nc];
        tfAdjust = new double[nc][];
        var maxPer = new double[nc];
        tf ??= TermFrequencyTables.Compute(records, model.Settings);
        for (var c = 0; c < nc; c++)
        {
            var p = model.Comparisons[c];
            weights[c] = p.Levels.Select((l, i) => i == 0 ? 0 : Math.Log2(l.M / l.U)).ToArray();
            maxPer[c] = weights[c].Max();
            tfLevel[c] = -1;
            var tl = p.Levels.Select((l, i) => (l, i)).FirstOrDefault(x => x.l.TfAdjustment && x.i > 0);
            if (tl.l is not null && tf.Tables.TryGetValue(specs[c].Column, out var table))
            {
                tfLevel[c] = tl.i;
                var kernel = vectorizer.Kernels[c];
                var dict = kernel.Dictionary;
                var adj = new double[dict.Length];
                var uExact = tl.l.U;
                var minTf = table.Count > 0 ? table.Values.Min() : uExact;
                for (var k = 1; k < dict.Length; k++)
                {
                    // Values unseen in the TF table get the rarest known frequency.
                    var f = table.TryGetValue(dict[k], out var x) ? x : minTf;
                    adj[k] = Math.Log2(uExact / Math.Max(f, 1e-12));
                }

                tfAdjust[c] = adj;
                maxPer[c] = Math.Max(maxPer[c], weights[c][tl.i] + (adj.Length > 1 ? adj.Skip(1).Max() : 0));
            }
        }

        maxRemaining = new double[nc + 1];
        for (var c = nc - 1; c >= 0; c--)
        {
            maxRemaining[c] = maxRemaining[c + 1] + Math.Max(0, maxPer[c]);
        }
    }

    public LinkageModel Model { get; }

    public double Prior => prior;

    public static double Probability(double weight) => 1.0 / (1.0 + Math.Pow(2, -weight));

    public static double WeightOf(double probability) => Math.Log2(probability / (1 - probability));

    /// <summary>Match weight of a pair, or NaN when it cannot reach <paramref name="minWeight"/> (early exit).</summary>
    public double Score(int a, int b, double minWeight)
    {
        var total = prior;
        var kernels = vectorizer.Kernels;
        for (var c = 0; c < kernels.Length; c++)
        {
            if (total + maxRemaining[c] < minWeight)
            {
                return double.NaN;
            }

            var l = kernels[c].Level(a, b);
            total += weights[c][l];
            if (l == tfLevel[c])
            {
                total += tfAdjust[c][kernels[c].Codes[a]];
            }
        }

        return total >= minWeight ? total : double.NaN;
    }

    public Waterfall Explain(int a, int b)
    {
        var steps = new List<WaterfallStep>();
        var total = prior;
        for (var c = 0; c < vectorizer.Kernels.Length; c++)
        {
            var k = vectorizer.Kernels[c];
            var l = k.Level(a, b);
            var p = Model.Comparisons[c].Levels[l];
            var tfa = l == tfLevel[c] ? tfAdjust[c][k.Codes[a]] : 0;
            total += weights[c][l] + tfa;
            steps.Add(new WaterfallStep(Model.Comparisons[c].Name, l, p.Label, p.M, p.U, weights[c][l], tfa));
        }

        return new Waterfall(prior, steps, total, Probability(total));
    }
}

/// <summary>Result of scoring one partition for one prediction rule.</summary>
public sealed record ScoreResult(int RuleIndex, long Comparisons, long Edges);

/// <summary>Scores partitions with a trained model.</summary>
public static class PartitionScorer
{
    private struct ScoreVisitor(CompiledScorer scorer, double minWeight, int[] rowIds, List<Edge> edges) : IPairVisitor
    {
        public readonly void Visit(int a, int b)
        {
            var w = scorer.Score(a, b, minWeight);
            if (!double.IsNaN(w))
            {
                edges.Add(new Edge(rowIds[a], rowIds[b], (float)w, (float)CompiledScorer.Probability(w)));
            }
        }
    }

    /// <summary>Scores the pairs of prediction rule <paramref name="ruleIndex"/> in <paramref name="partition"/>
    /// (pairs of earlier rules excluded) and returns the edges at or above <paramref name="threshold"/>
    /// (a probability; defaults to the model's match_threshold). <paramref name="tf"/>: term frequencies of the
    /// whole record set (computed from the partition when null — pass them for partitioned runs).</summary>
    public static (ScoreResult Result, List<Edge> Edges) ScorePartition(RecordSet partition, LinkageModel model, int ruleIndex, TermFrequencyTables? tf, double? threshold = null, ICollection<string>? warnings = null, int maxDegreeOfParallelism = -1)
    {
        var settings = model.Settings;
        var rules = settings.BlockingRulesForPrediction;
        if (ruleIndex < 0 || ruleIndex >= rules.Count)
        {
            throw new SettingsException("$.blocking_rules_for_prediction", $"prediction rule index {ruleIndex} does not exist ({rules.Count} rules).");
        }

        var scorer = new CompiledScorer(model, partition, tf);
        var minWeight = CompiledScorer.WeightOf(threshold ?? settings.MatchThreshold);
        var pe = new PairEnumerator(partition, rules, "blocking_rules_for_prediction", settings.LinkType, settings.MaxBlockSize, settings.OversizedBlocks);
        var blocks = pe.Blocks(ruleIndex);
        long comparisons = 0;
        var all = new List<Edge>();
        Parallel.ForEach(
            blocks,
            new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => (Count: 0L, Edges: new List<Edge>()),
            (block, _, local) =>
            {
                if (!pe.Admit(ruleIndex, block, warnings))
                {
                    return local;
                }

                var v = new ScoreVisitor(scorer, minWeight, partition.RowIds, local.Edges);
                var n = pe.VisitBlock(ruleIndex, block, ref v);
                return (local.Count + n, local.Edges);
            },
            local =>
            {
                Interlocked.Add(ref comparisons, local.Count);
                lock (all)
                {
                    all.AddRange(local.Edges);
                }
            });
        all.Sort((x, y) => x.RowA != y.RowA ? x.RowA.CompareTo(y.RowA) : x.RowB.CompareTo(y.RowB));
        return (new ScoreResult(ruleIndex, comparisons, all.Count), all);
    }

    /// <summary>As <see cref="ScorePartition(RecordSet, LinkageModel, int, TermFrequencyTables?, double?, ICollection{string}?)"/>, writing edges to <paramref name="edges"/>.</summary>
    public static ScoreResult ScorePartition(RecordSet partition, LinkageModel model, int ruleIndex, TermFrequencyTables? tf, Stream edges, double? threshold = null, ICollection<string>? warnings = null)
    {
        var (result, list) = ScorePartition(partition, model, ruleIndex, tf, threshold, warnings);
        EdgeStream.Write(edges, list);
        return result;
    }

    /// <summary>Waterfall of one pair (records <paramref name="a"/>, <paramref name="b"/> of <paramref name="records"/>).</summary>
    public static Waterfall Explain(RecordSet records, LinkageModel model, int a, int b, TermFrequencyTables? tf = null) =>
        new CompiledScorer(model, records, tf).Explain(a, b);
}
