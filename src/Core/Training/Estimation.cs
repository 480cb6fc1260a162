using System.Globalization;
using DataFirst.Core.Blocking;
using DataFirst.Core.Comparisons;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Training;

/// <summary>u probabilities per comparison level from random pairs.</summary>
public sealed record UEstimate(IReadOnlyList<IReadOnlyList<double>> U, long PairsSampled, int Seed);

/// <summary>λ and how it was obtained; <see cref="Warnings"/> name deterministic rules too loose to trust (no values).</summary>
public sealed record LambdaEstimate(double Lambda, long DeterministicPairs, double TotalPossiblePairs, string Source)
{
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>u by seeded random sampling; λ from deterministic rules and their assumed recall.</summary>
public static class Estimation
{
    private const int ChunkSize = 65_536;

    /// <summary>Samples <see cref="USamplingSettings.MaxPairs"/> random pairs (respecting the link type) and
    /// counts each comparison's levels; u = share of non-null comparisons at each level. Deterministic for a seed
    /// whatever the number of cores.</summary>
    public static UEstimate EstimateUUsingRandomSampling(RecordSet records, LinkageSettings settings)
    {
        var specs = ComparisonSpec.FromSettings(settings);
        if (records.Count < 2)
        {
            throw new TrainingException("u estimation needs at least two records.");
        }

        if (settings.LinkType == LinkType.LinkOnly && records.SourceNames.Count < 2)
        {
            throw new TrainingException("link_type link_only needs at least two source datasets; the input has one. Use dedupe_only or add a dataset.");
        }

        var vectorizer = new ComparisonVectorizer(specs, records);
        var target = settings.USampling.MaxPairs;
        var chunks = (target + ChunkSize - 1) / ChunkSize;
        var counts = new long[specs.Count][];
        for (var c = 0; c < specs.Count; c++)
        {
            counts[c] = new long[specs[c].Levels.Count];
        }

        var n = records.Count;
        var src = records.SourceCodes;
        var linkOnly = settings.LinkType == LinkType.LinkOnly;
        CpuParallelism.Run(() => Parallel.For(0, chunks, CpuParallelism.Options(), () => specs.Select(s => new long[s.Levels.Count]).ToArray(), (chunk, _, local) =>
        {
            // A fixed mix of seed and chunk (HashCode.Combine is randomised per process: runs would differ).
            var rng = new Random(ChunkSeed(settings.USampling.Seed, chunk));
            var take = Math.Min(ChunkSize, target - (chunk * ChunkSize));
            var attempts = 0;
            for (var s = 0; s < take; s++)
            {
                int a, b;
                do
                {
                    a = rng.Next(n);
                    b = rng.Next(n - 1);
                    if (b >= a)
                    {
                        b++;
                    }

                    if (++attempts > take * 50)
                    {
                        throw new TrainingException("u sampling could not find pairs from different source datasets (one dataset dominates).");
                    }
                }
                while (linkOnly && src[a] == src[b]);

                for (var c = 0; c < local.Length; c++)
                {
                    local[c][vectorizer.Kernels[c].Level(a, b)]++;
                }
            }

            return local;
        }, local =>
        {
            lock (counts)
            {
                for (var c = 0; c < local.Length; c++)
                {
                    for (var l = 0; l < local[c].Length; l++)
                    {
                        counts[c][l] += local[c][l];
                    }
                }
            }
        }));

        var u = new List<IReadOnlyList<double>>();
        for (var c = 0; c < specs.Count; c++)
        {
            var nonNull = counts[c].Skip(1).Sum();
            var levels = new double[counts[c].Length];
            levels[0] = 1;
            var denom = nonNull + (0.5 * (levels.Length - 1));
            for (var l = 1; l < levels.Length; l++)
            {
                // Half a pair added to every level so unseen levels keep a small, finite u.
                levels[l] = (counts[c][l] + 0.5) / denom;
            }

            u.Add(levels);
        }

        return new UEstimate(u, target, settings.USampling.Seed);
    }

    /// <summary>All candidate pairs for the link type.</summary>
    /// <summary>Seed of one u-sampling chunk: SplitMix64 of (seed, chunk), the same in every process.</summary>
    internal static int ChunkSeed(int seed, int chunk)
    {
        var z = ((ulong)(uint)seed << 32 | (uint)chunk) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    public static double TotalPossiblePairs(RecordSet records, LinkType linkType)
    {
        double n = records.Count;
        if (linkType != LinkType.LinkOnly)
        {
            return n * (n - 1) / 2;
        }

        var sizes = new double[records.SourceNames.Count];
        foreach (var s in records.SourceCodes)
        {
            sizes[s]++;
        }

        var within = sizes.Sum(x => x * (x - 1) / 2);
        return (n * (n - 1) / 2) - within;
    }

    private struct Counter : IPairVisitor
    {
        public readonly void Visit(int a, int b)
        {
        }
    }

    /// <summary>A deterministic rule whose pairs are more than this share of all possible pairs is reported as loose: its
    /// agreements are not "surely the same person", so λ estimated from them is too high.</summary>
    public const double LooseRuleShare = 0.01;

    /// <summary>Largest λ an estimate may reach: above it, more than half of all pairs would be matches.</summary>
    public const double MaxLambda = 0.5;

    /// <summary>Pairs deterministic rule <paramref name="ruleIndex"/> finds in a partition (earlier rules excluded).
    /// Partition the records by that rule's key to run it partition by partition. Blocks above max_block_size follow
    /// oversized_blocks as for blocking rules: an error, or skipped (their pairs not counted) with a warning.</summary>
    public static long CountDeterministicPairs(RecordSet partition, LinkageSettings settings, int ruleIndex, ICollection<string>? warnings = null)
    {
        var pe = new PairEnumerator(partition, settings.DeterministicRules, "deterministic_rules", settings.LinkType, settings.MaxBlockSize, settings.OversizedBlocks);
        long total = 0;
        var blocks = pe.Blocks(ruleIndex);
        PairEnumerator.ForEachRange(blocks, () => 0L, (from, to, acc) =>
        {
            var v = new Counter();
            for (var i = from; i < to; i++)
            {
                if (pe.Admit(ruleIndex, blocks[i], warnings))
                {
                    acc += pe.VisitBlock(ruleIndex, blocks[i], ref v);
                }
            }

            return acc;
        }, acc => Interlocked.Add(ref total, acc));
        return total;
    }

    /// <summary>λ = deterministic pairs / recall / all possible pairs (or the configured override). <paramref name="pairsPerRule"/>
    /// holds each rule's pairs (earlier rules' excluded). A rule whose pairs exceed <see cref="LooseRuleShare"/> of all pairs
    /// is warned about; when the rules imply λ above <see cref="MaxLambda"/> training stops: the estimate would be
    /// meaningless and every pair's score with it.</summary>
    public static LambdaEstimate EstimateLambda(IReadOnlyList<long> pairsPerRule, double totalPossiblePairs, LinkageSettings settings)
    {
        var deterministicPairs = pairsPerRule.Sum();
        if (settings.ProbabilityTwoRandomRecordsMatch is { } fixedLambda)
        {
            return new LambdaEstimate(fixedLambda, deterministicPairs, totalPossiblePairs, "probability_two_random_records_match");
        }

        if (deterministicPairs == 0)
        {
            throw new TrainingException("the deterministic rules matched no pairs, so λ cannot be estimated. Loosen $.deterministic_rules or set probability_two_random_records_match.");
        }

        var all = Math.Max(1, totalPossiblePairs);
        var loose = new List<string>();
        for (var r = 0; r < pairsPerRule.Count; r++)
        {
            var share = pairsPerRule[r] / all;
            if (share > LooseRuleShare)
            {
                loose.Add(string.Create(CultureInfo.InvariantCulture, $"deterministic rule {RuleName(settings, r)} matches {share:P1} of all record pairs: it is too loose to estimate the prior λ (probability two random records match) and λ comes out too high. Make the rule stricter (add columns that only the same person shares) or set probability_two_random_records_match."));
            }
        }

        var raw = deterministicPairs / settings.DeterministicRulesRecall / all;
        if (raw > MaxLambda)
        {
            var worst = Enumerable.Range(0, pairsPerRule.Count).MaxBy(r => pairsPerRule[r]);
            throw new TrainingException(string.Create(CultureInfo.InvariantCulture, $"the deterministic rules imply λ (probability two random records match) of {raw:G3}, above {MaxLambda}: they are too loose to estimate the prior. The loosest, {RuleName(settings, worst)}, matches {pairsPerRule[worst] / all:P1} of all record pairs. Make $.deterministic_rules stricter or set probability_two_random_records_match."));
        }

        var lambda = Math.Max(raw, 1e-12);
        return new LambdaEstimate(lambda, deterministicPairs, totalPossiblePairs, $"deterministic_rules with recall {settings.DeterministicRulesRecall}") { Warnings = loose };
    }

    /// <summary>λ over a whole record set; warnings about oversized blocks of the deterministic rules are added to the estimate's.</summary>
    public static LambdaEstimate EstimateProbabilityTwoRandomRecordsMatch(RecordSet records, LinkageSettings settings)
    {
        var blockWarnings = new List<string>();
        var pairs = new long[settings.DeterministicRules.Count];
        for (var r = 0; r < pairs.Length; r++)
        {
            pairs[r] = CountDeterministicPairs(records, settings, r, blockWarnings);
        }

        var estimate = EstimateLambda(pairs, TotalPossiblePairs(records, settings.LinkType), settings);
        return blockWarnings.Count == 0 ? estimate : estimate with { Warnings = [.. blockWarnings, .. estimate.Warnings] };
    }

    private static string RuleName(LinkageSettings settings, int rule) =>
        $"deterministic_rules[{rule}] ({string.Join(" = ", settings.DeterministicRules[rule])})";
}
