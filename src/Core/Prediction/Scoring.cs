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
        ReadMagic(stream);
        var buf = new byte[16 * 4096]; // a block of edges per read, not a call per edge
        var held = 0;
        while (true)
        {
            var n = stream.ReadAtLeast(buf.AsSpan(held), buf.Length - held, throwOnEndOfStream: false);
            held += n;
            var whole = held / 16 * 16;
            for (var at = 0; at < whole; at += 16)
            {
                yield return new Edge(
                    BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(at)),
                    BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(at + 4)),
                    BinaryPrimitives.ReadSingleLittleEndian(buf.AsSpan(at + 8)),
                    BinaryPrimitives.ReadSingleLittleEndian(buf.AsSpan(at + 12)));
            }

            if (n == 0 || held < buf.Length)
            {
                if (held != whole)
                {
                    throw new Settings.FormatException("edge stream is truncated.");
                }

                yield break;
            }

            held = 0;
        }
    }

    /// <summary>Appends the edges of <paramref name="edgeStream"/> (checked to be one) to <paramref name="target"/>, an
    /// edge stream whose magic number is written by <see cref="StartAsync"/>: many blobs' edges in one file.</summary>
    public static async Task AppendAsync(Stream edgeStream, Stream target, CancellationToken cancellationToken)
    {
        ReadMagic(edgeStream);
        await edgeStream.CopyToAsync(target, 1 << 16, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the magic number that starts an edge stream.</summary>
    public static Task StartAsync(Stream target, CancellationToken cancellationToken)
    {
        var head = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(head, Magic);
        return target.WriteAsync(head, cancellationToken).AsTask();
    }

    /// <summary>The edges of a seekable edge stream, from its start each time the sequence is enumerated.</summary>
    public static IEnumerable<Edge> ReadFromStart(Stream seekable)
    {
        seekable.Position = 0;
        foreach (var e in Read(seekable))
        {
            yield return e;
        }
    }

    private static void ReadMagic(Stream stream)
    {
        Span<byte> head = stackalloc byte[4];
        if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4 || BinaryPrimitives.ReadInt32LittleEndian(head) != Magic)
        {
            throw new Settings.FormatException("not a DataFirst edge stream (bad magic number).");
        }
    }
}

/// <summary>One step of a waterfall explanation (level label only, never values).</summary>
public sealed record WaterfallStep(string Comparison, int Level, string LevelLabel, double M, double U, double BayesFactorWeight, double TfAdjustment);

public sealed record Waterfall(double PriorWeight, IReadOnlyList<WaterfallStep> Steps, double MatchWeight, double Probability);

/// <summary>A model compiled against a record set: weight tables, TF per value code, bounds for early exit.
/// Per-value tables depend only on the record set's dictionaries (shared by <see cref="RecordSet.Select"/>) and
/// the TF table, so they are cached: compiling for another partition of the same set costs almost nothing.</summary>
internal sealed class CompiledScorer
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string[], System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyDictionary<string, double>, TfColumn>> TfCache = new();

    private readonly ComparisonVectorizer vectorizer;
    private readonly ComparisonKernel[] kernels;
    private readonly int[][] codes;
    private readonly double[][] weights;
    private readonly bool[] exactFirst;
    private readonly double[] exactWeight;
    private readonly uint[] tfLevels;
    private readonly bool[] exactTf;
    private readonly double[] logU;
    private readonly double[]?[] tfNegLog;
    private readonly double[] maxOther;
    private readonly int[] order;
    private readonly double prior;

    // Codes row-major (record × comparison): a pair's codes are two cache lines instead of one per comparison.
    private readonly int[] rows;
    private readonly int width;

    public CompiledScorer(LinkageModel model, RecordSet records, TermFrequencyTables? tf)
    {
        Model = model;
        var specs = ComparisonSpec.FromSettings(model.Settings);
        vectorizer = new ComparisonVectorizer(specs, records);
        kernels = vectorizer.Kernels;
        prior = Math.Log2(model.Lambda / (1 - model.Lambda));
        var nc = specs.Count;
        if (nc > 31)
        {
            throw new SettingsException("$.comparisons", $"at most 31 comparisons can be scored ({nc} given).");
        }

        weights = new double[nc][];
        codes = new int[nc][];
        exactFirst = new bool[nc];
        exactWeight = new double[nc];
        tfLevels = new uint[nc];
        exactTf = new bool[nc];
        logU = new double[nc];
        tfNegLog = new double[nc][];
        maxOther = new double[nc];
        tf ??= TermFrequencyTables.Compute(records, model.Settings);
        for (var c = 0; c < nc; c++)
        {
            var p = model.Comparisons[c];
            var kernel = kernels[c];
            codes[c] = kernel.Codes;
            weights[c] = p.Levels.Select((l, i) => i == 0 ? 0 : Math.Log2(l.M / l.U)).ToArray();
            exactFirst[c] = kernel.ExactFirst;
            // TF adjustments are relative to the exact level's u: + log2(u_exact / tf), where tf is the value's
            // frequency on the exact level and the larger of the two values' frequencies on a similarity level.
            var maxTf = 0.0;
            var exactLevel = p.Levels.Select((l, i) => l.Type == ComparisonLevelTypes.Exact ? i : -1).FirstOrDefault(i => i > 0, -1);
            if (exactLevel > 0 && p.Levels.Any(l => l.TfAdjustment) && tf.Tables.TryGetValue(specs[c].Column, out var table))
            {
                for (var l = 1; l < p.Levels.Count; l++)
                {
                    tfLevels[c] |= p.Levels[l].TfAdjustment ? 1u << l : 0;
                }

                var byCode = tf.TryGetByCode(specs[c].Column, kernel.Dictionary, out var f, out var least) ? f : null;
                var column = TfCache.GetOrCreateValue(kernel.Dictionary).GetValue(table, t => new TfColumn(kernel.Dictionary, t, byCode, least));
                tfNegLog[c] = column.NegLog2;
                logU[c] = Math.Log2(p.Levels[exactLevel].U);
                maxTf = logU[c] + column.MaxNegLog2;
            }

            exactTf[c] = exactFirst[c] && (tfLevels[c] & 2u) != 0;
            exactWeight[c] = exactFirst[c] ? weights[c][1] + (exactTf[c] ? logU[c] : 0) : 0;
            var other = double.NegativeInfinity;
            for (var l = exactFirst[c] ? 2 : 1; l < weights[c].Length; l++)
            {
                other = Math.Max(other, weights[c][l] + ((tfLevels[c] & (1u << l)) != 0 ? Math.Max(0, maxTf) : 0));
            }

            maxOther[c] = double.IsNegativeInfinity(other) ? 0 : other;
        }

        // One row per record: the codes of every comparison, then the record's row id (edges need it).
        var stride = nc + 1;
        width = stride;
        rows = new int[records.Count * stride];
        var rowsLocal = rows;
        var codesLocal = codes;
        var rowIds = records.RowIds;
        Parallel.For(0, nc + 1, CpuParallelism.Options(), c =>
        {
            var col = c < nc ? codesLocal[c] : rowIds;
            for (var r = 0; r < col.Length; r++)
            {
                rowsLocal[(r * stride) + c] = col[r];
            }
        });

        // Costly comparisons (string metrics) last, so that the bound rejects most pairs before them.
        order = Enumerable.Range(0, nc).OrderBy(c => kernels[c].UsesStringMetric ? 1 : 0).ToArray();
    }

    public LinkageModel Model { get; }

    public double Prior => prior;

    public static double Probability(double weight) => 1.0 / (1.0 + Math.Pow(2, -weight));

    public static double WeightOf(double probability) => Math.Log2(probability / (1 - probability));

    /// <summary>TF adjustment of level <paramref name="l"/> for value codes <paramref name="ca"/> and <paramref name="cb"/>
    /// (0 when the level has none): the rarer -log2 frequency is the more frequent value's.</summary>
    private double TfAdjustment(int c, int l, int ca, int cb) =>
        (tfLevels[c] & (1u << l)) != 0 && tfNegLog[c] is { } t ? logU[c] + Math.Min(t[ca], t[cb]) : 0;

    /// <summary>Match weight of a pair, or NaN when it cannot reach <paramref name="minWeight"/>. Equal codes (and nulls)
    /// are settled with int compares first; the other comparisons are bounded by their best level and only evaluated
    /// while the pair can still reach <paramref name="minWeight"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public double Score(int a, int b, double minWeight)
    {
        var total = prior;
        var bound = 0.0;
        var pending = 0u;
        var nc = codes.Length;
        var rows = this.rows;
        var ra = a * width;
        var rb = b * width;
        for (var c = 0; c < nc; c++)
        {
            var ca = rows[ra + c];
            var cb = rows[rb + c];
            if (ca == 0 || cb == 0)
            {
                continue;
            }

            if (ca == cb && exactFirst[c])
            {
                total += exactWeight[c];
                if (exactTf[c])
                {
                    total += tfNegLog[c]![ca];
                }

                continue;
            }

            pending |= 1u << c;
            bound += maxOther[c];
        }

        if (pending == 0)
        {
            return total >= minWeight ? total : double.NaN;
        }

        if (total + bound < minWeight)
        {
            return double.NaN;
        }

        foreach (var c in order)
        {
            if ((pending & (1u << c)) == 0)
            {
                continue;
            }

            var ca = rows[ra + c];
            var cb = rows[rb + c];
            var l = kernels[c].Level(a, b, ca, cb);
            total += weights[c][l];
            if (tfLevels[c] != 0)
            {
                total += TfAdjustment(c, l, ca, cb);
            }

            bound -= maxOther[c];
            if (total + bound < minWeight)
            {
                return double.NaN;
            }
        }

        return total >= minWeight ? total : double.NaN;
    }

    /// <summary>Comparison index (slot in the row-major codes) of each column, or null when a column is not the
    /// column of some comparison.</summary>
    public int[]? SlotsOf(IReadOnlyList<string> columns)
    {
        var slots = new int[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            slots[i] = Array.FindIndex(kernels, k => k.Spec.Column == columns[i]);
            if (slots[i] < 0)
            {
                return null;
            }
        }

        return slots;
    }

    /// <summary>Reads the first code of record <paramref name="r"/> (brings its row into the cache).</summary>
    public int Touch(int r) => rows[r * width];

    /// <summary>Row id (<see cref="RecordSet.RowId"/>) of record <paramref name="r"/>, from its row of codes.</summary>
    public int RowIdOf(int r) => rows[(r * width) + width - 1];

    /// <summary>Records <paramref name="a"/> and <paramref name="b"/> have equal non-null codes in every slot.</summary>
    public bool SameOnSlots(int a, int b, int[] slots)
    {
        var ra = a * width;
        var rb = b * width;
        foreach (var s in slots)
        {
            var x = rows[ra + s];
            if (x == 0 || x != rows[rb + s])
            {
                return false;
            }
        }

        return true;
    }

    public Waterfall Explain(int a, int b)
    {
        var steps = new List<WaterfallStep>();
        var total = prior;
        for (var c = 0; c < kernels.Length; c++)
        {
            var k = kernels[c];
            var l = k.Level(a, b);
            var p = Model.Comparisons[c].Levels[l];
            var tfa = l > 0 ? TfAdjustment(c, l, k.Codes[a], k.Codes[b]) : 0;
            total += weights[c][l] + tfa;
            steps.Add(new WaterfallStep(Model.Comparisons[c].Name, l, p.Label, p.M, p.U, weights[c][l], tfa));
        }

        return new Waterfall(prior, steps, total, Probability(total));
    }

    /// <summary>-log2(frequency) per dictionary code; values the TF table lacks get the rarest known frequency.</summary>
    private sealed class TfColumn
    {
        /// <param name="least">With <paramref name="byCode"/>: the column's least frequency, for values it lacks (0).</param>
        public TfColumn(string[] dict, IReadOnlyDictionary<string, double> table, double[]? byCode, double least)
        {
            var minTf = byCode is not null ? least : table.Count > 0 ? table.Values.Min() : 1.0;
            NegLog2 = new double[dict.Length];
            var max = double.NegativeInfinity;
            for (var k = 1; k < dict.Length; k++)
            {
                var f = byCode is not null ? (byCode[k] > 0 ? byCode[k] : minTf) : table.TryGetValue(dict[k], out var x) ? x : minTf;
                NegLog2[k] = -Math.Log2(Math.Max(f, 1e-12));
                max = Math.Max(max, NegLog2[k]);
            }

            MaxNegLog2 = double.IsNegativeInfinity(max) ? 0 : max;
        }

        public double[] NegLog2 { get; }

        public double MaxNegLog2 { get; }
    }
}

/// <summary>Result of scoring one partition for one prediction rule.</summary>
public sealed record ScoreResult(int RuleIndex, long Comparisons, long Edges);

/// <summary>Scores partitions with a trained model.</summary>
public static class PartitionScorer
{
    /// <summary>Scores visited pairs. With <paramref name="earlierSlots"/> (the comparison slots of each earlier rule's
    /// columns) it also drops pairs an earlier rule produced, reading the scorer's row-major codes (the cache lines
    /// scoring reads anyway) instead of one column array per key column; <see cref="Count"/> = pairs scored.</summary>
    private struct ScoreVisitor(CompiledScorer scorer, double minWeight, List<Edge> edges, int[][]? earlierSlots = null) : IPairVisitor
    {
        public long Count;

        public void Visit(int a, int b)
        {
            if (earlierSlots is not null)
            {
                foreach (var slots in earlierSlots)
                {
                    if (scorer.SameOnSlots(a, b, slots))
                    {
                        return;
                    }
                }
            }

            Count++;
            var w = scorer.Score(a, b, minWeight);
            if (!double.IsNaN(w))
            {
                edges.Add(new Edge(scorer.RowIdOf(a), scorer.RowIdOf(b), (float)w, (float)CompiledScorer.Probability(w)));
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

        return ScoreWith(new CompiledScorer(model, partition, tf), partition, ruleIndex, threshold, warnings, maxDegreeOfParallelism);
    }

    /// <summary>Scores rule <paramref name="ruleIndex"/> with an already compiled scorer (compiled for
    /// <paramref name="partition"/> or for a set sharing its dictionaries and record order).</summary>
    internal static (ScoreResult Result, List<Edge> Edges) ScoreWith(CompiledScorer scorer, RecordSet partition, int ruleIndex, double? threshold, ICollection<string>? warnings, int maxDegreeOfParallelism = -1)
    {
        var model = scorer.Model;
        var settings = model.Settings;
        var rules = settings.BlockingRulesForPrediction;
        var minWeight = CompiledScorer.WeightOf(threshold ?? settings.MatchThreshold);
        var pe = new PairEnumerator(partition, rules, "blocking_rules_for_prediction", settings.LinkType, settings.MaxBlockSize, settings.OversizedBlocks);
        var blocks = pe.Blocks(ruleIndex);
        long comparisons = 0;
        var all = new List<Edge>();
        PairEnumerator.ForEachRange(
            blocks,
            () => (Count: 0L, Edges: new List<Edge>()),
            (from, to, local) =>
            {
                var v = new ScoreVisitor(scorer, minWeight, local.Edges);
                var n = local.Count;
                for (var i = from; i < to; i++)
                {
                    if (pe.Admit(ruleIndex, blocks[i], warnings))
                    {
                        n += pe.VisitBlock(ruleIndex, blocks[i], ref v);
                    }
                }

                return (n, local.Edges);
            },
            local =>
            {
                Interlocked.Add(ref comparisons, local.Count);
                lock (all)
                {
                    all.AddRange(local.Edges);
                }
            },
            maxDegreeOfParallelism);
        SortByRows(all);
        return (new ScoreResult(ruleIndex, comparisons, all.Count), all);
    }

    /// <summary>Scores every prediction rule with one compiled scorer: the blocks of all rules are built in parallel,
    /// then the blocks of all rules are scored as one parallel loop (no barrier per rule). Per rule, the same
    /// comparisons and edges (sorted by row ids) as <see cref="ScoreWith"/>.</summary>
    internal static List<(ScoreResult Result, List<Edge> Edges)> ScoreAllRules(CompiledScorer scorer, RecordSet records, double? threshold, ICollection<string>? warnings)
    {
        var settings = scorer.Model.Settings;
        var rules = settings.BlockingRulesForPrediction;
        var minWeight = CompiledScorer.WeightOf(threshold ?? settings.MatchThreshold);
        var pe = new PairEnumerator(records, rules, "blocking_rules_for_prediction", settings.LinkType, settings.MaxBlockSize, settings.OversizedBlocks);
        var blocks = new BlockSet[rules.Count];
        CpuParallelism.Run(() => Parallel.For(0, rules.Count, CpuParallelism.Options(), r => blocks[r] = pe.Blocks(r)));

        // Work items: ranges of blocks of one rule, sized so that every core gets many.
        var ranges = new List<(int Rule, int From, int To)>();
        var totalBlocks = blocks.Sum(b => b.Count);
        var chunk = Math.Max(1, totalBlocks / (Environment.ProcessorCount * 32));
        for (var r = 0; r < rules.Count; r++)
        {
            for (var i = 0; i < blocks[r].Count; i += chunk)
            {
                ranges.Add((r, i, Math.Min(blocks[r].Count, i + chunk)));
            }
        }

        // Earlier rules checked on the scorer's codes when every key column is a compared column (else by the enumerator).
        var earlier = new List<int[][]?>(rules.Count);
        for (var r = 0; r < rules.Count; r++)
        {
            var slots = rules.Take(r).Select(scorer.SlotsOf).ToArray();
            earlier.Add(slots.All(x => x is not null) ? slots.Select(x => x!).ToArray() : null);
        }

        var counts = new long[rules.Count];
        var edges = rules.Select(_ => new List<Edge>()).ToArray();
        CpuParallelism.Run(() => Parallel.For(
            0,
            ranges.Count,
            CpuParallelism.Options(),
            () => (Counts: new long[rules.Count], Edges: rules.Select(_ => new List<Edge>()).ToArray()),
            (i, _, local) =>
            {
                var (r, from, to) = ranges[i];
                var slots = earlier[r];
                var v = new ScoreVisitor(scorer, minWeight, local.Edges[r], slots);
                long n = 0;
                var bs = blocks[r];
                var touched = 0;
                const int ahead = 4;
                for (var k = from; k < to; k++)
                {
                    if (k + ahead < to)
                    {
                        // Start loading a later block's rows now (independent loads overlap the scoring of this block).
                        foreach (var rec in bs[k + ahead])
                        {
                            touched ^= scorer.Touch(rec);
                        }
                    }

                    if (pe.Admit(r, bs[k], warnings))
                    {
                        n += pe.VisitBlock(r, bs[k], ref v, excludeEarlier: slots is null);
                    }
                }

                local.Counts[r] += slots is null ? n : v.Count;
                Volatile.Write(ref touchSink, touched); // keeps the touching loads

                return local;
            },
            local =>
            {
                lock (edges)
                {
                    for (var r = 0; r < rules.Count; r++)
                    {
                        counts[r] += local.Counts[r];
                        edges[r].AddRange(local.Edges[r]);
                    }
                }
            }));
        Parallel.For(0, rules.Count, CpuParallelism.Options(), r => SortByRows(edges[r]));
        return Enumerable.Range(0, rules.Count).Select(r => (new ScoreResult(r, counts[r], edges[r].Count), edges[r])).ToList();
    }

    private static int touchSink;

    /// <summary>Sorts edges by (RowA, RowB) through one 64-bit key per edge (a primitive-key sort).</summary>
    private static void SortByRows(List<Edge> edges)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(edges);
        var keys = new ulong[span.Length];
        for (var i = 0; i < span.Length; i++)
        {
            keys[i] = ((ulong)(uint)span[i].RowA << 32) | (uint)span[i].RowB;
        }

        keys.AsSpan().Sort(span);
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
