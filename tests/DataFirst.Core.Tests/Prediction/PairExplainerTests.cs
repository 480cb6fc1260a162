using DataFirst.Core.Ingest;
using DataFirst.Core.Prediction;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Tests.Prediction;

/// <summary>Explaining one pair: which prediction rule compares it (or why none does) and its waterfall.</summary>
public sealed class PairExplainerTests
{
    private static LinkageSettings Settings(string linkType = "dedupe_only", int maxBlockSize = 20000, string oversized = "error") => LinkageSettings.Parse($$"""
    {
      "link_type": "{{linkType}}",
      "unique_id_column": "id",
      "comparisons": [
        { "column": "surname", "preset": "name", "tf_adjustment": true },
        { "column": "dob", "preset": "exact" }
      ],
      "blocking_rules_for_prediction": [["surname"], ["dob"]],
      "deterministic_rules": [["surname", "dob"]],
      "max_block_size": {{maxBlockSize}},
      "oversized_blocks": "{{oversized}}",
      "match_threshold": 0.5
    }
    """);

    /// <summary>0/1 share surname and dob; 2/3 share only dob; 4/5 share nothing; 6 has a null surname; 7 shares row 0's surname.</summary>
    private static RecordSet Records(LinkageSettings settings, Func<int, string>? source = null)
    {
        string?[][] rows =
        [
            ["0", "MUELLER", "1960-01-01"],
            ["1", "MUELLER", "1960-01-01"],
            ["2", "ZANDER", "1961-02-02"],
            ["3", "BAUER", "1961-02-02"],
            ["4", "KOCH", "1962-03-03"],
            ["5", "WOLF", "1963-04-04"],
            ["6", null, "1964-05-05"],
            ["7", "MUELLER", "1970-06-06"],
        ];
        var builder = new RecordSetBuilder(settings);
        if (source is null)
        {
            return builder.AddRows(["id", "surname", "dob"], rows, "people").Build();
        }

        foreach (var group in rows.Select((r, i) => (r, i)).GroupBy(x => source(x.i)))
        {
            builder.AddRows(["id", "surname", "dob"], group.Select(x => x.r).ToList(), group.Key);
        }

        return builder.Build();
    }

    private static LinkageModel Model(LinkageSettings settings)
    {
        var specs = DataFirst.Core.Comparisons.ComparisonSpec.FromSettings(settings);
        return new LinkageModel
        {
            Settings = settings,
            Lambda = 0.05,
            Comparisons = specs.Select(s => new ComparisonParameters(s.Name, s.Column, s.Levels.Select(l => l.Type switch
            {
                "null" => new LevelParameters(l.Label, l.Type, 1, 1, false),
                "exact" => new LevelParameters(l.Label, l.Type, 0.9, 0.05, l.TfAdjustment),
                "else" => new LevelParameters(l.Label, l.Type, 0.05, 0.9, false),
                _ => new LevelParameters(l.Label, l.Type, 0.05, 0.05, false),
            }).ToList())).ToList(),
        };
    }

    [Fact]
    public void Coverage_NamesTheFirstRuleWhoseKeyBothShare_AndItsBlockSize()
    {
        var settings = Settings();
        var set = Records(settings);

        var both = PairExplainer.Coverage(set, settings, 0, 1);
        both.Compared.Should().BeTrue();
        both.RuleIndex.Should().Be(0, "the surname rule comes first; the dob rule does not generate the pair again");
        both.BlockSize.Should().Be(3, "rows 0, 1 and 7 share the surname");
        both.Reason.Should().Contain("prediction rule 0 (surname)").And.Contain("3 records");

        var dobOnly = PairExplainer.Coverage(set, settings, 2, 3);
        dobOnly.RuleIndex.Should().Be(1);
        dobOnly.BlockSize.Should().Be(2);
        dobOnly.Compared.Should().BeTrue();
    }

    [Fact]
    public void Coverage_NoSharedKeyOrANullKey_IsNeverCompared()
    {
        var settings = Settings();
        var set = Records(settings);

        var none = PairExplainer.Coverage(set, settings, 4, 5);
        none.Compared.Should().BeFalse();
        none.RuleIndex.Should().BeNull();
        none.Reason.Should().Contain("no prediction rule pairs these records");

        // Row 6's surname is null: a null key never blocks, even against another null.
        PairExplainer.Coverage(set, settings, 6, 4).Compared.Should().BeFalse();
    }

    [Fact]
    public void Coverage_LinkOnly_SameDatasetIsNeverCompared_AcrossDatasetsIs()
    {
        var settings = Settings("link_only");
        var set = Records(settings, i => i is 1 ? "b" : "a");
        var rowOf = Enumerable.Range(0, set.Count).ToDictionary(set.UniqueId);

        var same = PairExplainer.Coverage(set, settings, rowOf["0"], rowOf["7"]);
        same.Compared.Should().BeFalse();
        same.RuleIndex.Should().Be(0);
        same.Reason.Should().Contain("link_only");

        PairExplainer.Coverage(set, settings, rowOf["0"], rowOf["1"]).Compared.Should().BeTrue();
    }

    [Theory]
    [InlineData("error", "stops with an error")]
    [InlineData("skip", "skips the block")]
    public void Coverage_BlockAboveMaxBlockSize_IsNotComparedAndSaysWhatTheRunDoes(string oversized, string fate)
    {
        var settings = Settings(maxBlockSize: 2, oversized: oversized);
        var set = Records(settings);

        var c = PairExplainer.Coverage(set, settings, 0, 1);
        c.Compared.Should().BeFalse();
        c.BlockSize.Should().Be(3);
        c.Reason.Should().Contain("max_block_size 2").And.Contain(fate);
    }

    [Fact]
    public void Explain_WeightIsTheScoredEdgeWeight_AndThresholdDecidesAboveThreshold()
    {
        var settings = Settings();
        var set = Records(settings);
        var model = Model(settings);
        var (edges, _) = InMemoryLinker.Predict(set, model, threshold: 1e-9);

        var e = PairExplainer.Explain(set, model, 0, 1);
        var edge = edges.Single(x => (x.RowA, x.RowB) is (0, 1) or (1, 0));
        e.Waterfall.MatchWeight.Should().BeApproximately(edge.Weight, 1e-4);
        e.Waterfall.Steps.Should().HaveCount(2);
        e.Waterfall.Steps[0].TfAdjustment.Should().BeLessThan(0, "MUELLER is 3 of 8 records, commoner than exact u 0.05");
        e.AboveThreshold.Should().Be(e.Waterfall.Probability >= 0.5);
        e.Blocking.Compared.Should().BeTrue();

        var far = PairExplainer.Explain(set, model, 4, 5);
        far.AboveThreshold.Should().BeFalse();
        far.Blocking.Compared.Should().BeFalse();
    }

    [Fact]
    public void Explain_SameRecordOrOutOfRange_Throws()
    {
        var settings = Settings();
        var set = Records(settings);
        var model = Model(settings);
        FluentActions.Invoking(() => PairExplainer.Explain(set, model, 1, 1)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => PairExplainer.Explain(set, model, 0, set.Count)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
