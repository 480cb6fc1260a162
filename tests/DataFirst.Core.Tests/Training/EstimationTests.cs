using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Tests.Training;

public sealed class EstimationTests
{
    // Fixed values: u sampling must draw the same pairs in every process (HashCode.Combine is randomised per process,
    // so a seed built with it would pass an in-process comparison and still differ between runs).
    [Theory]
    [InlineData(42, 0, 1051451323)]
    [InlineData(42, 1, 1616377404)]
    [InlineData(7, 3, 608795752)]
    public void ChunkSeed_SeedAndChunk_FixedValueInEveryProcess(int seed, int chunk, int expected) =>
        Estimation.ChunkSeed(seed, chunk).Should().Be(expected);

    private static LinkageSettings Settings(string rules, int maxBlockSize = 20000, string oversized = "error") => LinkageSettings.Parse($$"""
    {
      "link_type": "dedupe_only",
      "unique_id_column": "id",
      "comparisons": [
        { "column": "surname", "preset": "name" },
        { "column": "sex", "preset": "exact" }
      ],
      "blocking_rules_for_prediction": [["surname"]],
      "blocking_rules_for_training": [["surname"]],
      "deterministic_rules": {{rules}},
      "deterministic_rules_recall": 0.7,
      "max_block_size": {{maxBlockSize}},
      "oversized_blocks": "{{oversized}}"
    }
    """);

    /// <summary><paramref name="n"/> people, sex alternating M/F; surnames in pairs (rows 2k and 2k + 1 share one), or
    /// all one surname.</summary>
    private static RecordSet People(LinkageSettings settings, int n, bool oneSurname = false)
    {
        var rows = Enumerable.Range(0, n)
            .Select(i => new string?[] { i.ToString(System.Globalization.CultureInfo.InvariantCulture), oneSurname ? "MUELLER" : "SURNAME" + (char)('A' + (i / 2 % 26)) + (char)('A' + (i / 52)), i % 2 == 0 ? "M" : "F" })
            .ToList();
        return new RecordSetBuilder(settings).AddRows(["id", "surname", "sex"], rows, "people").Build();
    }

    [Fact]
    public void EstimateProbabilityTwoRandomRecordsMatch_RuleOnSexAlone_ThrowsNamingTheRule()
    {
        // Half of all pairs agree on sex: λ = 0.49 / 0.7 ≈ 0.7, which the old clamp silently turned into 0.5.
        var settings = Settings("""[["surname", "sex"], ["sex"]]""");
        var act = () => Estimation.EstimateProbabilityTwoRandomRecordsMatch(People(settings, 40), settings);

        var ex = act.Should().Throw<TrainingException>().Which;
        ex.Message.Should().Contain("deterministic_rules[1] (sex)").And.Contain("too loose").And.Contain("probability_two_random_records_match");
        ex.Message.Should().NotContain("\"M\"").And.NotContain("SURNAME");
    }

    [Fact]
    public void EstimateLambda_RuleAboveLooseShare_WarnsNamingTheRule()
    {
        var settings = Settings("""[["surname", "sex"], ["sex"]]""");

        var estimate = Estimation.EstimateLambda([10, 300], 10_000, settings);

        estimate.Lambda.Should().BeApproximately(310 / 0.7 / 10_000, 1e-12);
        estimate.Warnings.Should().ContainSingle().Which.Should().Contain("deterministic_rules[1] (sex)").And.Contain("too loose");
    }

    [Fact]
    public void EstimateLambda_StrictRules_NoWarning()
    {
        var settings = Settings("""[["surname", "sex"]]""");

        var estimate = Estimation.EstimateLambda([10], 10_000, settings);

        estimate.Lambda.Should().BeApproximately(10 / 0.7 / 10_000, 1e-12);
        estimate.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void EstimateProbabilityTwoRandomRecordsMatch_FixedLambda_IgnoresLooseRules()
    {
        var settings = Settings("""[["sex"]]""") with { ProbabilityTwoRandomRecordsMatch = 0.001 };

        var estimate = Estimation.EstimateProbabilityTwoRandomRecordsMatch(People(settings, 40), settings);

        estimate.Lambda.Should().Be(0.001);
        estimate.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void CountDeterministicPairs_BlockAboveMaxBlockSize_FailsAsBlockingRulesDo()
    {
        var settings = Settings("""[["surname"]]""", maxBlockSize: 20);

        var act = () => Estimation.CountDeterministicPairs(People(settings, 30, oneSurname: true), settings, 0);

        act.Should().Throw<BlockingException>().WithMessage("*deterministic_rules[0] (surname)*a block of 30 records*max_block_size 20*");
    }

    [Fact]
    public void CountDeterministicPairs_BlockAboveMaxBlockSizeWithSkip_SkipsItWithAWarning()
    {
        var settings = Settings("""[["surname"]]""", maxBlockSize: 20, oversized: "skip");
        var warnings = new List<string>();

        var pairs = Estimation.CountDeterministicPairs(People(settings, 30, oneSurname: true), settings, 0, warnings);

        pairs.Should().Be(0);
        warnings.Should().ContainSingle().Which.Should().Contain("deterministic_rules[0] (surname)").And.Contain("skipped");
    }

    [Fact]
    public void CountDeterministicPairs_BlocksWithinMaxBlockSize_CountsEveryPair()
    {
        var settings = Settings("""[["surname"]]""", maxBlockSize: 2);

        Estimation.CountDeterministicPairs(People(settings, 30), settings, 0).Should().Be(15);
    }
}
