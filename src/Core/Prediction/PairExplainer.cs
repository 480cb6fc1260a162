using DataFirst.Core.Blocking;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Prediction;

/// <summary>Whether, and by which prediction rule, a run compares a pair.</summary>
/// <param name="RuleIndex">The first prediction rule whose key both records share (the rule that generates the pair), or null.</param>
/// <param name="BlockSize">Records sharing that rule's key (the block the pair sits in); 0 without a rule.</param>
/// <param name="Compared">True when a run scores the pair: a rule generates it, the link type admits it and the block is not skipped.</param>
/// <param name="Reason">One sentence for people: which rule, or why the pair is never compared. Names rules and columns, never values.</param>
public sealed record BlockingCoverage(int? RuleIndex, IReadOnlyList<string> RuleColumns, int BlockSize, bool Compared, string Reason);

/// <summary>The waterfall of one pair plus whether a run would compare it at all.</summary>
public sealed record PairExplanation(Waterfall Waterfall, BlockingCoverage Blocking, double MatchThreshold)
{
    /// <summary>A run links the pair (before clustering) when it is compared and scores at or above the threshold.</summary>
    public bool AboveThreshold => Waterfall.Probability >= MatchThreshold;
}

/// <summary>
/// Explains why a pair was or was not linked: each comparison's level, m, u and contribution in bits (the
/// waterfall, with the same term-frequency tables a run over <c>records</c> uses), and which prediction rule
/// compares it, or why none does. Values are never part of the result, only levels, labels and weights.
/// </summary>
public static class PairExplainer
{
    public static PairExplanation Explain(RecordSet records, LinkageModel model, int a, int b, TermFrequencyTables? tf = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var coverage = Coverage(records, model.Settings, a, b);
        return new PairExplanation(PartitionScorer.Explain(records, model, a, b, tf), coverage, model.Settings.MatchThreshold);
    }

    /// <summary>Which prediction rule generates the pair (the first whose key both records share, as blocking does),
    /// the size of that block, and whether the link type and max_block_size let the run compare it.</summary>
    public static BlockingCoverage Coverage(RecordSet records, LinkageSettings settings, int a, int b)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(settings);
        if (a < 0 || a >= records.Count || b < 0 || b >= records.Count)
        {
            throw new ArgumentOutOfRangeException(a < 0 || a >= records.Count ? nameof(a) : nameof(b), $"record positions must be in 0..{records.Count - 1}.");
        }

        if (a == b)
        {
            throw new ArgumentException("a pair needs two different records.", nameof(b));
        }

        var sameSource = records.SourceCodes[a] == records.SourceCodes[b];
        var rules = settings.BlockingRulesForPrediction;
        for (var r = 0; r < rules.Count; r++)
        {
            var rule = new BoundRule(records, rules[r], r, "prediction");
            if (!rule.SameKey(a, b))
            {
                continue;
            }

            var size = Enumerable.Range(0, records.Count).Count(i => rule.SameKey(a, i));
            var name = $"prediction rule {r} ({string.Join(" = ", rules[r])})";
            if (settings.LinkType == LinkType.LinkOnly && sameSource)
            {
                return new BlockingCoverage(r, rules[r], size, false, $"{name} shares the key, but link_only never compares two records of the same dataset.");
            }

            if (size > settings.MaxBlockSize)
            {
                var fate = settings.OversizedBlocks == OversizedBlockAction.Error ? "the run stops with an error" : "the run skips the block";
                return new BlockingCoverage(r, rules[r], size, false, $"{name} generates it, but its block of {size} records exceeds max_block_size {settings.MaxBlockSize}: {fate}.");
            }

            return new BlockingCoverage(r, rules[r], size, true, $"{name} generates it (a block of {size} records).");
        }

        var why = rules.Count == 0
            ? "the settings have no prediction rules."
            : "no prediction rule pairs these records (in every rule a key column differs or is null), so a run never scores them; a rule on columns they share would.";
        return new BlockingCoverage(null, [], 0, false, why);
    }
}
