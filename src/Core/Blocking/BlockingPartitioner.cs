using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Blocking;

/// <summary>Hash-partitions records by a blocking rule's key so that every pair of a block lies in one
/// partition. Records with a null key part are left out (they cannot pair under that rule).</summary>
public static class BlockingPartitioner
{
    /// <summary>Record indices per partition for rule <paramref name="rule"/>.</summary>
    public static int[][] Partition(RecordSet records, IReadOnlyList<string> rule, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var bound = new BoundRule(records, rule, 0, "rule");
        var lists = new List<int>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            lists[p] = [];
        }

        for (var r = 0; r < records.Count; r++)
        {
            if (!bound.IsNull(r))
            {
                lists[(int)(bound.Hash(r) % (ulong)partitions)].Add(r);
            }
        }

        return lists.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>The partitions as record sets (row ids kept), ready for <see cref="RecordSet.WriteTo"/>.</summary>
    public static IReadOnlyList<RecordSet> PartitionRecords(RecordSet records, IReadOnlyList<string> rule, int partitions) =>
        Partition(records, rule, partitions).Select(p => records.Select(p)).ToList();
}

/// <summary>Comparisons one rule generates (after excluding earlier rules' pairs) and its largest blocks;
/// <paramref name="ComparisonsWithinLimit"/>: those in blocks of at most max_block_size (all that are compared when
/// oversized blocks are skipped).</summary>
public sealed record RuleAnalysis(int RuleIndex, IReadOnlyList<string> Columns, long Comparisons, int Blocks, IReadOnlyList<int> LargestBlocks, int RecordsWithNullKey, int OversizedBlocks, long ComparisonsWithinLimit);

public sealed record BlockingAnalysisResult(IReadOnlyList<RuleAnalysis> Rules, long TotalComparisons, IReadOnlyList<string> Warnings);

/// <summary>Blocking analysis before scoring: comparisons per rule and block sizes (never key values).</summary>
public static class BlockingAnalysis
{
    private struct Counter : IPairVisitor
    {
        public readonly void Visit(int a, int b)
        {
        }
    }

    /// <summary>The prediction rules (or <paramref name="rules"/>) in order: each counts the pairs no earlier one found.</summary>
    public static BlockingAnalysisResult Analyse(RecordSet records, LinkageSettings settings, IReadOnlyList<IReadOnlyList<string>>? rules = null, int largest = 5) =>
        Analyse(records, settings, rules ?? settings.BlockingRulesForPrediction, "blocking_rules_for_prediction", null, largest);

    /// <summary>Training rule <paramref name="ruleIndex"/> alone: its EM session counts every pair of its rule, whatever
    /// the other training rules find, so no pair is excluded (counted from block sizes, no pair visited).</summary>
    public static BlockingAnalysisResult AnalyseTrainingRule(RecordSet records, LinkageSettings settings, int ruleIndex, int largest = 5) =>
        Analyse(records, settings, settings.BlockingRulesForTraining, "blocking_rules_for_training", ruleIndex, largest);

    private static BlockingAnalysisResult Analyse(RecordSet records, LinkageSettings settings, IReadOnlyList<IReadOnlyList<string>> rules, string kind, int? only, int largest)
    {
        // Analysis reports oversized blocks rather than failing on them.
        var pe = new PairEnumerator(records, rules, kind, settings.LinkType, int.MaxValue, OversizedBlockAction.Skip);
        var results = new List<RuleAnalysis>();
        var warnings = new List<string>();
        foreach (var r in only is { } o ? [o] : Enumerable.Range(0, rules.Count))
        {
            var blocks = pe.Blocks(r);
            long total = 0, withinLimit = 0;
            var oversized = 0;
            if (r == 0 || only is not null)
            {
                // No earlier rule to exclude: a block's pairs follow from its size (and its sources, for link_only).
                var perSource = new int[records.SourceNames.Count];
                for (var i = 0; i < blocks.Count; i++)
                {
                    var pairs = Pairs(blocks[i], records.SourceCodes, perSource, settings.LinkType == LinkType.LinkOnly);
                    total += pairs;
                    withinLimit += blocks.Size(i) <= settings.MaxBlockSize ? pairs : 0;
                }
            }
            else
            {
                PairEnumerator.ForEachRange(blocks, () => (0L, 0L), (from, to, acc) =>
                {
                    var v = new Counter();
                    for (var i = from; i < to; i++)
                    {
                        var pairs = pe.VisitBlock(r, blocks[i], ref v);
                        acc = (acc.Item1 + pairs, acc.Item2 + (blocks.Size(i) <= settings.MaxBlockSize ? pairs : 0));
                    }

                    return acc;
                }, acc =>
                {
                    Interlocked.Add(ref total, acc.Item1);
                    Interlocked.Add(ref withinLimit, acc.Item2);
                });
            }

            foreach (var size in blocks.Sizes())
            {
                if (size > settings.MaxBlockSize)
                {
                    oversized++;
                }
            }

            var nullKeys = 0;
            var rule = pe.Rule(r);
            for (var i = 0; i < records.Count; i++)
            {
                if (rule.IsNull(i))
                {
                    nullKeys++;
                }
            }

            if (oversized > 0)
            {
                warnings.Add($"blocking rule {rule.Name}: {oversized} block(s) exceed max_block_size {settings.MaxBlockSize} (largest {blocks.Sizes().Max()} records).");
            }

            results.Add(new RuleAnalysis(r, rules[r], total, blocks.Count, blocks.Sizes().OrderDescending().Take(largest).ToList(), nullKeys, oversized, withinLimit));
        }

        return new BlockingAnalysisResult(results, results.Sum(x => x.Comparisons), warnings);
    }

    /// <summary>Pairs of one block: all of them, or for link_only those across two source datasets.</summary>
    private static long Pairs(ReadOnlySpan<int> block, int[] sourceCodes, int[] perSource, bool linkOnly)
    {
        long n = block.Length;
        var pairs = n * (n - 1) / 2;
        if (!linkOnly)
        {
            return pairs;
        }

        foreach (var r in block)
        {
            pairs -= perSource[sourceCodes[r]]++; // each record pairs with those of its own source seen before it
        }

        foreach (var r in block)
        {
            perSource[sourceCodes[r]] = 0;
        }

        return pairs;
    }
}
