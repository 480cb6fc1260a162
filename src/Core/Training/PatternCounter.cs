using System.Collections.Concurrent;
using DataFirst.Core.Blocking;
using DataFirst.Core.Comparisons;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Training;

/// <summary>Counts agreement patterns of the pairs one training rule generates in one partition.</summary>
public static class PatternCounter
{
    private struct HistogramVisitor(ComparisonVectorizer vectorizer, Dictionary<long, long> counts) : IPairVisitor
    {
        public readonly void Visit(int a, int b)
        {
            var key = vectorizer.Pattern(a, b);
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _);
            slot++;
        }
    }

    private struct SampledHistogramVisitor(HistogramVisitor counter, PairSample sample, ulong[] keys) : IPairVisitor
    {
        public long Kept;

        public void Visit(int a, int b)
        {
            if (sample.Keeps(keys[a], keys[b]))
            {
                Kept++;
                counter.Visit(a, b);
            }
        }
    }

    /// <summary>Histogram of the comparison vectors of rule <paramref name="ruleIndex"/> of
    /// blocking_rules_for_training over <paramref name="partition"/>: of all its pairs, or of those
    /// <paramref name="sample"/> keeps (the others are counted in <see cref="PatternHistogram.SampledOut"/>).
    /// Training rules are independent sessions (as in Splink): pairs of earlier training rules are not
    /// excluded unless <paramref name="excludeEarlierRules"/>.</summary>
    public static PatternHistogram CountPatterns(RecordSet partition, LinkageSettings settings, int ruleIndex, PairSample sample = default, bool excludeEarlierRules = false, ICollection<string>? warnings = null)
    {
        var specs = ComparisonSpec.FromSettings(settings);
        var rules = settings.BlockingRulesForTraining;
        if (ruleIndex < 0 || ruleIndex >= rules.Count)
        {
            throw new SettingsException("$.blocking_rules_for_training", $"training rule index {ruleIndex} does not exist ({rules.Count} rules).");
        }

        var sampled = !sample.KeepsAll;
        var keys = sampled ? sample.RecordKeys(partition) : [];
        var vectorizer = new ComparisonVectorizer(specs, partition);
        var pe = new PairEnumerator(partition, rules, "blocking_rules_for_training", settings.LinkType, settings.MaxBlockSize, settings.OversizedBlocks);
        var blocks = pe.Blocks(ruleIndex);
        var total = new PatternHistogram(specs.Select(s => s.Name).ToList(), specs.Select(s => s.Levels.Count).ToList());
        var partials = new ConcurrentBag<(Dictionary<long, long> Counts, long SampledOut)>();
        PairEnumerator.ForEachRange(
            blocks,
            () => (new Dictionary<long, long>(), 0L),
            (from, to, local) =>
            {
                var v = new HistogramVisitor(vectorizer, local.Item1);
                var s = new SampledHistogramVisitor(v, sample, keys);
                var sampledOut = local.Item2;
                for (var i = from; i < to; i++)
                {
                    if (!pe.Admit(ruleIndex, blocks[i], warnings))
                    {
                        continue;
                    }

                    if (sampled)
                    {
                        s.Kept = 0;
                        sampledOut += pe.VisitBlock(ruleIndex, blocks[i], ref s, excludeEarlierRules) - s.Kept;
                    }
                    else
                    {
                        pe.VisitBlock(ruleIndex, blocks[i], ref v, excludeEarlierRules);
                    }
                }

                return (local.Item1, sampledOut);
            },
            partials.Add);
        foreach (var (counts, sampledOut) in partials)
        {
            foreach (var (k, c) in counts)
            {
                total.Increment(k, c);
            }

            total.SampledOut += sampledOut;
        }

        return total;
    }
}
