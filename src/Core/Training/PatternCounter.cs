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

    /// <summary>Histogram of the comparison vectors of rule <paramref name="ruleIndex"/> of
    /// blocking_rules_for_training over <paramref name="partition"/>. Training rules are independent
    /// sessions (as in Splink): pairs of earlier training rules are not excluded unless
    /// <paramref name="excludeEarlierRules"/>.</summary>
    public static PatternHistogram CountPatterns(RecordSet partition, LinkageSettings settings, int ruleIndex, bool excludeEarlierRules = false, ICollection<string>? warnings = null)
    {
        var specs = ComparisonSpec.FromSettings(settings);
        var rules = settings.BlockingRulesForTraining;
        if (ruleIndex < 0 || ruleIndex >= rules.Count)
        {
            throw new SettingsException("$.blocking_rules_for_training", $"training rule index {ruleIndex} does not exist ({rules.Count} rules).");
        }

        var vectorizer = new ComparisonVectorizer(specs, partition);
        var pe = new PairEnumerator(partition, rules, "blocking_rules_for_training", settings.LinkType, settings.MaxBlockSize, settings.OversizedBlocks);
        var blocks = pe.Blocks(ruleIndex);
        var total = new PatternHistogram(specs.Select(s => s.Name).ToList(), specs.Select(s => s.Levels.Count).ToList());
        var partials = new ConcurrentBag<Dictionary<long, long>>();
        PairEnumerator.ForEachRange(
            blocks,
            () => new Dictionary<long, long>(),
            (from, to, local) =>
            {
                var v = new HistogramVisitor(vectorizer, local);
                for (var i = from; i < to; i++)
                {
                    if (pe.Admit(ruleIndex, blocks[i], warnings))
                    {
                        pe.VisitBlock(ruleIndex, blocks[i], ref v, excludeEarlierRules);
                    }
                }

                return local;
            },
            partials.Add);
        foreach (var p in partials)
        {
            foreach (var (k, c) in p)
            {
                total.Increment(k, c);
            }
        }

        return total;
    }
}
