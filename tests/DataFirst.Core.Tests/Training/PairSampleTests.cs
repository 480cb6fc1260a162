using DataFirst.Core.Blocking;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Tests.Training;

/// <summary>em.max_pairs: a training rule with more pairs than that has a seeded sample of them counted.</summary>
public sealed class PairSampleTests
{
    private static readonly LinkageSettings Settings = LinkageSettings.Parse(SyntheticPeople.BenchSettings) with
    {
        // One session whose blocks are half the records each: n²/4 pairs, the shape of a date-of-birth rule at national scale.
        BlockingRulesForTraining = [["sex"]],
    };

    private static List<string?[]> Rows(int n, int seed, double duplicateShare = 0.25) => SyntheticPeople.Generate(n, duplicateShare, seed);

    private static RecordSet Records(IEnumerable<string?[]> rows) =>
        new RecordSetBuilder(Settings).AddRows(SyntheticPeople.Header, rows, "synthetic").Build();

    private static void ShouldBeEqual(PatternHistogram actual, PatternHistogram expected)
    {
        actual.Counts.Should().BeEquivalentTo(expected.Counts);
        actual.SampledOut.Should().Be(expected.SampledOut);
    }

    [Fact]
    public void RateFor_PairsWithinTheLimit_KeepsAll_AndOtherwiseBringsThemToTheLimit()
    {
        PairSample.RateFor(1_000, 1_000).Should().Be(1);
        PairSample.RateFor(0, 1_000).Should().Be(1);
        PairSample.RateFor(4_000, 1_000).Should().Be(0.25);
        default(PairSample).KeepsAll.Should().BeTrue();
        PairSample.All.KeepsAll.Should().BeTrue();
        PairSample.Of(0.5, 1, 0).KeepsAll.Should().BeFalse();
        foreach (var bad in new[] { 0, -0.1, 1.5, double.NaN })
        {
            var act = () => PairSample.Of(bad, 1, 0);
            act.Should().Throw<ArgumentOutOfRangeException>();
        }
    }

    [Fact]
    public void CountPatterns_Sampled_KeepsAboutTheRate_AndCountsTheRestAsSampledOut()
    {
        var records = Records(Rows(3000, 5));
        var all = PatternCounter.CountPatterns(records, Settings, 0);
        var sampled = PatternCounter.CountPatterns(records, Settings, 0, PairSample.Of(0.05, 42, 0));

        all.SampledOut.Should().Be(0);
        all.PairsGenerated.Should().Be(all.TotalPairs);
        sampled.PairsGenerated.Should().Be(all.TotalPairs, "the pairs the rule generated do not depend on the sample");
        sampled.TotalPairs.Should().BeInRange((long)(all.TotalPairs * 0.048), (long)(all.TotalPairs * 0.052));
        all.TotalPairs.Should().BeGreaterThan(2_000_000);
    }

    [Fact]
    public void CountPatterns_Sampled_KeepsThePatternProportions()
    {
        var records = Records(Rows(3000, 6));
        var all = PatternCounter.CountPatterns(records, Settings, 0);
        var sampled = PatternCounter.CountPatterns(records, Settings, 0, PairSample.Of(0.1, 42, 0));

        // Every pattern holding at least 1 % of the pairs has the same share in the sample, within sampling error.
        var frequent = all.Counts.Where(kv => kv.Value >= all.TotalPairs / 100).ToList();
        frequent.Should().HaveCountGreaterThan(3);
        foreach (var (pattern, count) in frequent)
        {
            var p = (double)count / all.TotalPairs;
            var q = (double)sampled.Counts.GetValueOrDefault(pattern) / sampled.TotalPairs;
            var sd = Math.Sqrt(p * (1 - p) / sampled.TotalPairs);
            q.Should().BeApproximately(p, 5 * sd, $"pattern {pattern}: share {p:0.0000} of all pairs");
        }
    }

    [Fact]
    public void RecordKeys_AreTheHashOfDatasetAndIdAsText_WhateverTheIdsBytes()
    {
        // The key is defined on the id's UTF-16 text (FNV-1a over its characters after the dataset's, SplitMix64 with
        // the seed and rule), so samples stay the same however the record set stores its ids.
        var settings = Tests.Settings.LinkageSettingsTests.ForenameAndDob();
        string[] ids = ["1", "Zoë-7", "\U0001F600x", new string('9', 300)];
        var records = new RecordSetBuilder(settings)
            .AddCsv(new StringReader("id,forename,dob\n" + string.Join("", ids.Select(id => id + ",Bob,1980-01-02\n"))), "court").Build();

        var keys = PairSample.Of(0.5, 42, 3).RecordKeys(records);

        keys.Should().Equal(ids.Select(id => ReferenceKey("court", id, 42, 3)));
    }

    private static ulong ReferenceKey(string dataset, string id, int seed, int rule)
    {
        static ulong Fnv(string text, ulong hash)
        {
            foreach (var c in text)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            return hash;
        }

        static ulong SplitMix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        var salt = SplitMix(((ulong)(uint)seed << 32) | (uint)rule);
        return SplitMix(Fnv(id, (Fnv(dataset, 14695981039346656037UL) ^ 0x1F) * 1099511628211UL) ^ salt);
    }

    [Fact]
    public void CountPatterns_Sampled_SamePairsWhateverThePartitioningAndRecordOrder()
    {
        var rows = Rows(2000, 7);
        var records = Records(rows);
        var sample = PairSample.Of(0.2, 9, 0);
        var whole = PatternCounter.CountPatterns(records, Settings, 0, sample);

        var parts = BlockingPartitioner.PartitionRecords(records, Settings.BlockingRulesForTraining[0], 5)
            .Select(p => PatternCounter.CountPatterns(p, Settings, 0, sample));
        ShouldBeEqual(PatternHistogram.Sum(parts), whole);

        var shuffled = rows.ToArray();
        new Random(3).Shuffle(shuffled);
        ShouldBeEqual(PatternCounter.CountPatterns(Records(shuffled), Settings, 0, sample), whole);

        // Another seed or another rule keeps other pairs (same size, different histogram).
        var reseeded = PatternCounter.CountPatterns(records, Settings, 0, PairSample.Of(0.2, 10, 0));
        reseeded.Counts.Should().NotBeEquivalentTo(whole.Counts);
        reseeded.PairsGenerated.Should().Be(whole.PairsGenerated);
    }

    [Fact]
    public void Train_RuleAboveMaxPairs_CountsASample_AndEstimatesTheSameM()
    {
        // Twenty records per person, so the sample still holds thousands of matches.
        var records = Records(Rows(2000, 8, duplicateShare: 0.95));
        var full = ModelTrainer.Train(records, Settings, DateTimeOffset.UnixEpoch);
        var all = full.Provenance.Sessions.Single();
        var capped = ModelTrainer.Train(records, Settings with { Em = Settings.Em with { MaxPairs = all.Pairs * 3 / 10 } }, DateTimeOffset.UnixEpoch);

        var session = capped.Provenance.Sessions.Single();
        all.PairsGenerated.Should().Be(all.Pairs);
        session.PairsGenerated.Should().Be(all.Pairs);
        ((double)session.Pairs / all.Pairs).Should().BeApproximately(0.3, 0.01);
        capped.Provenance.Warnings.Should().NotContain(w => w.Contains("max_pairs"));

        // m is a share of the matches, so its sampling error follows from the matches in the sample.
        var matches = session.Lambda * session.Pairs;
        matches.Should().BeGreaterThan(3000);
        var tolerance = 4 * Math.Sqrt(0.25 / matches);
        for (var c = 0; c < full.Comparisons.Count; c++)
        {
            for (var l = 1; l < full.Comparisons[c].Levels.Count; l++)
            {
                capped.Comparisons[c].Levels[l].M.Should().BeApproximately(full.Comparisons[c].Levels[l].M, tolerance, $"m of {full.Comparisons[c].Name} level {l}");
            }
        }

        var reloaded = LinkageModel.FromJson(capped.ToJson()).Provenance.Sessions.Single();
        reloaded.Should().BeEquivalentTo(session);
    }

    [Fact]
    public void Train_SampleWithFewMatches_WarnsNamingMaxPairs()
    {
        var records = Records(Rows(3000, 8));
        var capped = ModelTrainer.Train(records, Settings with { Em = Settings.Em with { MaxPairs = 200_000 } }, DateTimeOffset.UnixEpoch);

        var session = capped.Provenance.Sessions.Single();
        session.Pairs.Should().BeInRange(190_000, 210_000);
        (session.Lambda * session.Pairs).Should().BeLessThan(EmTrainer.MinSampledMatches);
        capped.Provenance.Warnings.Should().ContainSingle(w => w.Contains("$.em.max_pairs") && w.Contains("blocking_rules_for_training[0]"));
    }

    [Fact]
    public void Train_OversizedBlocksSkipped_TheRateComesFromThePairsTheSessionCounts()
    {
        // Blocks of one sex are skipped above max_block_size: the sample must bring the pairs that are compared to
        // max_pairs, not the pairs of blocks the session never visits.
        var rows = Rows(3000, 10);
        var skewed = rows.Select((r, i) => i < 2500 ? r.Select((v, c) => c == 6 ? "M" : v).ToArray() : r.Select((v, c) => c == 6 ? "F" : v).ToArray()).ToList();
        var settings = Settings with { MaxBlockSize = 1000, OversizedBlocks = OversizedBlockAction.Skip, Em = Settings.Em with { MaxPairs = 50_000 } };
        var records = new RecordSetBuilder(settings).AddRows(SyntheticPeople.Header, skewed, "synthetic").Build();

        var analysis = BlockingAnalysis.AnalyseTrainingRule(records, settings, 0).Rules[0];
        var model = ModelTrainer.Train(records, settings, DateTimeOffset.UnixEpoch);

        analysis.ComparisonsWithinLimit.Should().Be(500L * 499 / 2);
        analysis.Comparisons.Should().Be(analysis.ComparisonsWithinLimit + (2500L * 2499 / 2));
        var session = model.Provenance.Sessions.Single();
        session.PairsGenerated.Should().Be(analysis.ComparisonsWithinLimit);
        ((double)session.Pairs).Should().BeInRange(45_000, 55_000);
    }

    [Fact]
    public void AnalyseTrainingRule_NamesTheTrainingRuleInWarnings()
    {
        var settings = Settings with { BlockingRulesForTraining = [["date_of_birth"], ["sex"]], MaxBlockSize = 100 };
        var result = BlockingAnalysis.AnalyseTrainingRule(Records(Rows(1000, 11)), settings, 1);

        result.Rules.Single().RuleIndex.Should().Be(1);
        result.Warnings.Should().ContainSingle().Which.Should().Contain("blocking_rules_for_training[1] (sex)");
    }

    [Fact]
    public void Histogram_JsonRoundTrip_KeepsSampledOut()
    {
        var h = new PatternHistogram(["a"], [3]) { SampledOut = 41 };
        h.Increment(1, 2);
        using var ms = new MemoryStream();
        h.WriteTo(ms);
        ms.Position = 0;
        var back = PatternHistogram.ReadFrom(ms);
        back.SampledOut.Should().Be(41);
        back.PairsGenerated.Should().Be(43);
        PatternHistogram.Sum([back, back]).SampledOut.Should().Be(82);
    }

    [Theory]
    [InlineData(LinkType.DedupeOnly)]
    [InlineData(LinkType.LinkOnly)]
    [InlineData(LinkType.LinkAndDedupe)]
    public void BlockingAnalysis_FirstRule_CountsEveryPairOfItsBlocks(LinkType linkType)
    {
        var settings = Settings with { LinkType = linkType };
        var rows = Rows(1500, 9);
        var builder = new RecordSetBuilder(settings);
        builder.AddRows(SyntheticPeople.Header, rows.Take(600), "a");
        builder.AddRows(SyntheticPeople.Header, rows.Skip(600).Take(500), "b");
        builder.AddRows(SyntheticPeople.Header, rows.Skip(1100), "c");
        var records = builder.Build();
        var rule = new[] { "date_of_birth" };

        // Every pair, the slow way: same non-null key, and for link_only from two datasets.
        var bound = new PairEnumerator(records, [rule], "test", linkType, int.MaxValue, OversizedBlockAction.Skip).Rule(0);
        long expected = 0;
        for (var a = 0; a < records.Count; a++)
        {
            for (var b = a + 1; b < records.Count; b++)
            {
                if (!bound.IsNull(a) && bound.SameKey(a, b) && (linkType != LinkType.LinkOnly || records.SourceDataset(a) != records.SourceDataset(b)))
                {
                    expected++;
                }
            }
        }

        expected.Should().BeGreaterThan(100);
        BlockingAnalysis.Analyse(records, settings, [rule]).Rules[0].Comparisons.Should().Be(expected);
    }
}
