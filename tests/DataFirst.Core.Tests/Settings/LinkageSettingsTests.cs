using DataFirst.Core.Settings;

namespace DataFirst.Core.Tests.Settings;

public sealed class LinkageSettingsTests
{
    internal const string Minimal = """
    {
      "link_type": "dedupe_only",
      "unique_id_column": "id",
      "comparisons": [
        { "column": "forename", "preset": "name", "tf_adjustment": true },
        { "column": "dob", "levels": [ {"type":"null"}, {"type":"exact"}, {"type":"levenshtein","max_distance":1}, {"type":"else"} ] }
      ],
      "blocking_rules_for_prediction": [["dob"], ["forename"]],
      "deterministic_rules": [["forename", "dob"]]
    }
    """;

    /// <summary><paramref name="json"/> (<see cref="Minimal"/> by default) with forename standardised as a name and dob
    /// as a date: the settings tests that build record sets from "id,forename,dob" use.</summary>
    internal static LinkageSettings ForenameAndDob(string json = Minimal) =>
        LinkageSettings.Parse(json)
            with { Columns = [new ColumnSettings { Name = "forename", Standardise = StandardiseKind.Name }, new ColumnSettings { Name = "dob", Standardise = StandardiseKind.Date }] };

    [Fact]
    public void Parse_Minimal_DefaultsApplied()
    {
        var s = LinkageSettings.Parse(Minimal);
        s.LinkType.Should().Be(LinkType.DedupeOnly);
        s.Comparisons.Should().HaveCount(2);
        s.BlockingRulesForPrediction[1].Should().Equal("forename");
        s.MatchThreshold.Should().Be(0.9);
        s.RequiredColumns().Select(c => c.Name).Should().Equal("forename", "dob");
    }

    [Fact]
    public void Parse_RoundTripThroughToJson_Equivalent()
    {
        var s = LinkageSettings.Parse(Minimal);
        var again = LinkageSettings.Parse(s.ToJson());
        again.ToJson().Should().Be(s.ToJson());
    }

    [Fact]
    public void Parse_BadLinkType_NamesPathAndAllowedValues()
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("dedupe_only", "dedupe", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.link_type" && e.Message.Contains("link_and_dedupe"));
    }

    [Fact]
    public void Parse_UnknownLevelType_NamesPath()
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("\"levenshtein\"", "\"fuzzy\"", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.comparisons[1].levels[2].type" && e.Message.Contains("jaro_winkler"));
    }

    [Fact]
    public void Parse_UnknownProperty_NamesPath()
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("\"unique_id_column\"", "\"uid\": 1, \"unique_id_column\"", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath.Contains("uid"));
    }

    [Fact]
    public void SettingsDoc_CompleteExample_IsExamplesJusticeJson()
    {
        var root = Architecture.CoreDependencyTests.RepoRoot();
        var doc = File.ReadAllText(Path.Combine(root, "docs", "settings.md")).ReplaceLineEndings("\n");
        const string Heading = "## Complete example (examples/justice.json)\n```json\n";
        var start = doc.IndexOf(Heading, StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "docs/settings.md opens with the complete example");
        start += Heading.Length;
        var example = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
        example.Should().Be(File.ReadAllText(Path.Combine(root, "examples", "justice.json")).ReplaceLineEndings("\n"));
        LinkageSettings.Parse(example).Em.MaxPairs.Should().Be(20_000_000);
    }

    [Fact]
    public void Parse_EmMaxPairs_DefaultsTo20Million_AndBelow1000NamesPath()
    {
        LinkageSettings.Parse(Minimal).Em.MaxPairs.Should().Be(20_000_000);
        LinkageSettings.Parse(Minimal.Replace("\"deterministic_rules\"", "\"em\": { \"max_pairs\": 5000000, \"seed\": 3 }, \"deterministic_rules\"", StringComparison.Ordinal)).Em
            .Should().BeEquivalentTo(new EmSettings { MaxPairs = 5_000_000, Seed = 3 });
        var act = () => LinkageSettings.Parse(Minimal.Replace("\"deterministic_rules\"", "\"em\": { \"max_pairs\": 10 }, \"deterministic_rules\"", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.em.max_pairs" && e.Message.Contains("1000"));
    }

    [Fact]
    public void Parse_ThresholdOutOfRange_NamesPath()
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("\"deterministic_rules\"", "\"match_threshold\": 1.5, \"deterministic_rules\"", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.match_threshold");
    }

    [Fact]
    public void Parse_TfOnSimilarityLevelWithoutExact_NamesPath()
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("{\"type\":\"exact\"}, {\"type\":\"levenshtein\",\"max_distance\":1}", "{\"type\":\"levenshtein\",\"max_distance\":1,\"tf_adjustment\":true}", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.comparisons[1].levels[1].tf_adjustment" && e.Message.Contains("exact"));
    }

    [Fact]
    public void Parse_TfOnElse_NamesAllowedLevels()
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("{\"type\":\"else\"}", "{\"type\":\"else\",\"tf_adjustment\":true}", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.comparisons[1].levels[3].tf_adjustment" && e.Message.Contains("jaro_winkler"));
    }

    [Fact]
    public void Parse_FuzzyTfOnPreset_MarksSimilarityLevelsOnly()
    {
        var s = LinkageSettings.Parse(Minimal.Replace("\"tf_adjustment\": true }", "\"tf_adjustment\": true, \"tf_adjustment_fuzzy\": true }", StringComparison.Ordinal));
        var levels = DataFirst.Core.Comparisons.ComparisonSpec.FromSettings(s)[0].Levels;
        levels.Where(l => l.TfAdjustment).Select(l => l.Type).Should().Equal("exact", "jaro_winkler", "jaro_winkler", "jaro_winkler");
        levels[0].TfAdjustment.Should().BeFalse();
        levels[^1].TfAdjustment.Should().BeFalse();

        var bad = () => LinkageSettings.Parse(Minimal.Replace("\"preset\": \"name\", \"tf_adjustment\": true }", "\"preset\": \"postcode\", \"tf_adjustment_fuzzy\": true }", StringComparison.Ordinal));
        bad.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.comparisons[0].tf_adjustment_fuzzy");
    }

    [Fact]
    public void Parse_Clustering_DefaultAndUnknownValue()
    {
        LinkageSettings.Parse(Minimal).Clustering.Should().Be("connected_components");
        LinkageSettings.Parse(Minimal.Replace("\"deterministic_rules\"", "\"clustering\": \"average_linkage\", \"deterministic_rules\"", StringComparison.Ordinal)).Clustering.Should().Be("average_linkage");
        var act = () => LinkageSettings.Parse(Minimal.Replace("\"deterministic_rules\"", "\"clustering\": \"louvain\", \"deterministic_rules\"", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.clustering" && e.Message.Contains("complete_linkage"));
    }
}
