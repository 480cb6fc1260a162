using System.Globalization;
using System.Reflection;
using DataFirst.Core.Blocking;
using DataFirst.Core.Comparisons;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Training;

/// <summary>Result of EM on one histogram.</summary>
public sealed record EmResult(double[][] M, double Lambda, int Iterations, bool Converged);

/// <summary>Expectation–maximisation on agreement-pattern counts with u fixed (from random sampling).
/// Cost depends on the number of distinct patterns, not on the number of pairs.</summary>
public static class EmTrainer
{
    /// <summary>Matches a sampled session should hold (EM's λ × pairs counted); fewer give a warning.</summary>
    public const int MinSampledMatches = 1000;

    private const double Floor = 1e-6;

    /// <summary>Initial m: most mass on the strongest level, the rest shared by the others.</summary>
    public static double[][] InitialM(IReadOnlyList<ComparisonSpec> specs) =>
        specs.Select(s =>
        {
            var m = new double[s.Levels.Count];
            m[0] = 1;
            var k = m.Length - 1;
            m[1] = k == 1 ? 1 : 0.8;
            for (var l = 2; l < m.Length; l++)
            {
                m[l] = 0.2 / (k - 1);
            }

            return m;
        }).ToArray();

    /// <summary>Runs EM on one histogram. Comparisons in <paramref name="fixedComparisons"/> (those the training rule
    /// blocks on) are left out of the likelihood and keep their m.</summary>
    public static EmResult Run(PatternHistogram histogram, double[][] initialM, IReadOnlyList<IReadOnlyList<double>> u, double initialLambda, ISet<int> fixedComparisons, EmSettings em)
    {
        var nc = histogram.LevelCounts.Count;
        var keys = histogram.Counts.Keys.Order().ToArray(); // fixed order: same sums, same model, whatever the partitioning
        var counts = keys.Select(k => (double)histogram.Counts[k]).ToArray();
        var levels = new int[keys.Length, nc];
        for (var p = 0; p < keys.Length; p++)
        {
            for (var c = 0; c < nc; c++)
            {
                levels[p, c] = PatternHistogram.LevelOf(keys[p], c);
            }
        }

        var m = initialM.Select(a => (double[])a.Clone()).ToArray();
        var lambda = initialLambda;
        var total = counts.Sum();
        if (total <= 0)
        {
            throw new TrainingException("EM received an empty histogram: the training rule produced no pairs.");
        }

        var iterations = 0;
        var converged = false;
        while (iterations < em.MaxIterations)
        {
            iterations++;
            var num = m.Select(a => new double[a.Length]).ToArray();
            double sumR = 0;
            for (var p = 0; p < keys.Length; p++)
            {
                double pm = lambda, pu = 1 - lambda;
                for (var c = 0; c < nc; c++)
                {
                    if (fixedComparisons.Contains(c))
                    {
                        continue;
                    }

                    var l = levels[p, c];
                    if (l == 0)
                    {
                        continue;
                    }

                    pm *= m[c][l];
                    pu *= u[c][l];
                }

                var r = pm / (pm + pu);
                if (double.IsNaN(r))
                {
                    r = 0;
                }

                var w = counts[p] * r;
                sumR += w;
                for (var c = 0; c < nc; c++)
                {
                    num[c][levels[p, c]] += w;
                }
            }

            var delta = 0.0;
            var newLambda = Math.Clamp(sumR / total, 1e-9, 1 - 1e-9);
            delta = Math.Max(delta, Math.Abs(newLambda - lambda));
            lambda = newLambda;
            for (var c = 0; c < nc; c++)
            {
                if (fixedComparisons.Contains(c))
                {
                    continue;
                }

                var denom = num[c].Skip(1).Sum();
                if (denom <= 0)
                {
                    continue;
                }

                for (var l = 1; l < m[c].Length; l++)
                {
                    var v = Math.Max(Floor, num[c][l] / denom);
                    delta = Math.Max(delta, Math.Abs(v - m[c][l]));
                    m[c][l] = v;
                }
            }

            if (delta < em.ConvergenceThreshold)
            {
                converged = true;
                break;
            }
        }

        return new EmResult(m, lambda, iterations, converged);
    }

    /// <summary>Comparisons a training rule blocks on (their columns appear in the rule): not estimable in that session.</summary>
    public static HashSet<int> FixedComparisons(IReadOnlyList<ComparisonSpec> specs, IReadOnlyList<string> rule) =>
        specs.Select((s, i) => (s, i)).Where(x => x.s.InputColumns.Any(col => rule.Contains(col, StringComparer.Ordinal))).Select(x => x.i).ToHashSet();

    /// <summary>Builds the model: one EM session per training rule (histogram <c>histograms[r]</c> for rule r),
    /// each comparison's m averaged over the sessions that could estimate it (as Splink combines sessions).</summary>
    public static LinkageModel EstimateParameters(LinkageSettings settings, IReadOnlyList<PatternHistogram> histograms, UEstimate u, LambdaEstimate lambda, TrainingProvenance provenance)
    {
        var specs = ComparisonSpec.FromSettings(settings);
        var rules = settings.BlockingRulesForTraining;
        if (histograms.Count != rules.Count)
        {
            throw new TrainingException($"expected one histogram per training rule ({rules.Count}), got {histograms.Count}.");
        }

        var init = InitialM(specs);
        var sums = specs.Select(s => new double[s.Levels.Count]).ToArray();
        var estimates = new int[specs.Count];
        var sessions = new List<TrainingSession>();
        var warnings = provenance.Warnings.Concat(lambda.Warnings).ToList();
        for (var r = 0; r < rules.Count; r++)
        {
            var fixedSet = FixedComparisons(specs, rules[r]);
            if (histograms[r].TotalPairs == 0)
            {
                warnings.Add($"training rule blocking_rules_for_training[{r}] ({string.Join(" = ", rules[r])}) produced no pairs; session skipped.");
                sessions.Add(new TrainingSession(r, rules[r], 0, 0, false, 0, fixedSet.Select(i => specs[i].Name).ToList()));
                continue;
            }

            // Starting λ of the session: the global λ scaled up by how much blocking concentrates matches.
            var start = Math.Clamp(lambda.Lambda * Math.Max(1, lambda.TotalPossiblePairs) / histograms[r].PairsGenerated, 0.01, 0.5);
            var result = Run(histograms[r], init, u.U, start, fixedSet, settings.Em);
            if (!result.Converged)
            {
                warnings.Add($"EM for training rule blocking_rules_for_training[{r}] ({string.Join(" = ", rules[r])}) hit max_iterations {settings.Em.MaxIterations} without converging (threshold {settings.Em.ConvergenceThreshold}); raise $.em.max_iterations.");
            }

            var matches = result.Lambda * histograms[r].TotalPairs;
            if (histograms[r].SampledOut > 0 && matches < MinSampledMatches)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture, $"training rule blocking_rules_for_training[{r}] ({string.Join(" = ", rules[r])}) counted a sample of {histograms[r].TotalPairs:N0} of its {histograms[r].PairsGenerated:N0} pairs, holding about {matches:N0} matches: m estimated from fewer than {MinSampledMatches:N0} is noisy. Raise $.em.max_pairs or make the rule stricter (matches are then a larger share of its pairs)."));
            }

            sessions.Add(new TrainingSession(r, rules[r], histograms[r].TotalPairs, result.Iterations, result.Converged, result.Lambda, fixedSet.Select(i => specs[i].Name).ToList(), histograms[r].PairsGenerated));
            for (var c = 0; c < specs.Count; c++)
            {
                if (fixedSet.Contains(c))
                {
                    continue;
                }

                estimates[c]++;
                for (var l = 0; l < sums[c].Length; l++)
                {
                    sums[c][l] += result.M[c][l];
                }
            }
        }

        var comparisons = new List<ComparisonParameters>();
        for (var c = 0; c < specs.Count; c++)
        {
            double[] m;
            if (estimates[c] == 0)
            {
                warnings.Add($"comparison '{specs[c].Name}' was not estimated by any training session (every training rule blocks on its column); its m values are the defaults. Add a training rule that does not use '{specs[c].Column}'.");
                m = init[c];
            }
            else
            {
                m = sums[c].Select(x => x / estimates[c]).ToArray();
            }

            comparisons.Add(new ComparisonParameters(specs[c].Name, specs[c].Column, specs[c].Levels.Select((l, i) => new LevelParameters(l.Label, l.Type, i == 0 ? 1 : m[i], i == 0 ? 1 : u.U[c][i], l.TfAdjustment)).ToList()));
        }

        return new LinkageModel
        {
            Settings = settings,
            Lambda = lambda.Lambda,
            Comparisons = comparisons,
            Provenance = provenance with
            {
                DeterministicPairs = lambda.DeterministicPairs,
                TotalPossiblePairs = lambda.TotalPossiblePairs,
                LambdaSource = lambda.Source,
                USamplePairs = u.PairsSampled,
                USampleSeed = u.Seed,
                Sessions = sessions,
                Warnings = warnings,
            },
        };
    }
}

/// <summary>In-memory training built from the partition primitives: λ, u, per-rule partitioned pattern counts, EM.</summary>
public static class ModelTrainer
{
    public static string EngineVersion => typeof(ModelTrainer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static LinkageModel Train(RecordSet records, LinkageSettings settings, DateTimeOffset trainedAtUtc, int partitions = 0, ICollection<string>? warnings = null)
    {
        if (settings.BlockingRulesForTraining.Count == 0)
        {
            throw new SettingsException("$.blocking_rules_for_training", "at least one training rule is needed to train a model (or score with a saved model).");
        }

        partitions = partitions > 0 ? partitions : Math.Max(1, Environment.ProcessorCount * 2);
        var lambda = Estimation.EstimateProbabilityTwoRandomRecordsMatch(records, settings);
        var u = Estimation.EstimateUUsingRandomSampling(records, settings);
        var w = new List<string>();
        var histograms = new List<PatternHistogram>();
        for (var r = 0; r < settings.BlockingRulesForTraining.Count; r++)
        {
            var rule = settings.BlockingRulesForTraining[r];
            var sample = TrainingSample(records, settings, r);
            var parts = BlockingPartitioner.PartitionRecords(records, rule, partitions);
            var hs = parts.Select(p => PatternCounter.CountPatterns(p, settings, r, sample, warnings: w)).ToList();
            histograms.Add(PatternHistogram.Sum(hs));
        }

        var perDataset = records.Report?.RecordsPerDataset ?? records.SourceNames.ToDictionary(s => s, _ => 0);
        var provenance = new TrainingProvenance
        {
            TrainedAtUtc = trainedAtUtc,
            EngineVersion = EngineVersion,
            Records = records.Count,
            RecordsPerDataset = TrainingProvenance.NamedCounts(perDataset),
            SourceDatasets = perDataset.Count,
            Warnings = w,
        };
        var model = EmTrainer.EstimateParameters(settings, histograms, u, lambda, provenance);
        if (warnings is not null)
        {
            foreach (var x in model.Provenance.Warnings)
            {
                warnings.Add(x);
            }
        }

        return model;
    }

    /// <summary>The pairs training rule <paramref name="rule"/>'s session counts: all, or a seeded sample of em.max_pairs of them.</summary>
    public static PairSample TrainingSample(RecordSet records, LinkageSettings settings, int rule)
    {
        var pairs = BlockingAnalysis.AnalyseTrainingRule(records, settings, rule, largest: 0).Rules[0].ComparisonsWithinLimit;
        return PairSample.Of(PairSample.RateFor(pairs, settings.Em.MaxPairs), settings.Em.Seed, rule);
    }
}
