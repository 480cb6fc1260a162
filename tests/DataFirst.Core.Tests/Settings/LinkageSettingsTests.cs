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

    /// <summary><see cref="Minimal"/> with the first comparison (forename, preset name) replaced by <paramref name="comparison"/>.</summary>
    private static string WithFirstComparison(string comparison) =>
        Minimal.Replace("{ \"column\": \"forename\", \"preset\": \"name\", \"tf_adjustment\": true }", comparison, StringComparison.Ordinal);

    [Theory]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"name\", \"thresholds\": [] }", "$.comparisons[0].thresholds", "non-empty")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"jaro_winkler\", \"thresholds\": [] }", "$.comparisons[0].thresholds", "non-empty")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"levenshtein\", \"thresholds\": [] }", "$.comparisons[0].thresholds", "non-empty")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"name\", \"thresholds\": [0.9, 1.5] }", "$.comparisons[0].thresholds[1]", "required: a similarity in (0, 1]")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"jaro_winkler\", \"thresholds\": [0] }", "$.comparisons[0].thresholds[0]", "required: a similarity in (0, 1]")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"levenshtein\", \"thresholds\": [-1] }", "$.comparisons[0].thresholds[0]", "between 1 and 10")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"damerau_levenshtein\", \"thresholds\": [1.5] }", "$.comparisons[0].thresholds[0]", "whole edit distance")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"levenshtein\", \"thresholds\": [1, 11] }", "$.comparisons[0].thresholds[1]", "between 1 and 10")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"exact\", \"thresholds\": [0.9] }", "$.comparisons[0].thresholds", "takes no thresholds")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"exact\", \"nickname\": true }", "$.comparisons[0].nickname", "only the \"name\" preset")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"jaro_winkler\", \"phonetic\": true }", "$.comparisons[0].phonetic", "only the \"name\" preset")]
    [InlineData("{ \"column\": \"forename\", \"preset\": \"postcode\", \"swap_with\": \"dob\" }", "$.comparisons[0].swap_with", "only the \"name\" preset")]
    [InlineData("{ \"column\": \"forename\", \"levels\": [ {\"type\":\"null\"}, {\"type\":\"exact\"}, {\"type\":\"else\"} ], \"thresholds\": [0.9] }", "$.comparisons[0].thresholds", "preset option")]
    public void Parse_BadPresetOption_NamesPath(string comparison, string path, string message)
    {
        var act = () => LinkageSettings.Parse(WithFirstComparison(comparison));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == path && e.Message.Contains(message));
    }

    [Fact]
    public void Parse_PresetExpandingBeyond15Levels_NamesThresholdsAndLimit()
    {
        var thresholds = string.Join(", ", Enumerable.Range(1, 20).Select(i => (1 - (i * 0.01)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var act = () => LinkageSettings.Parse(WithFirstComparison($"{{ \"column\": \"forename\", \"preset\": \"name\", \"thresholds\": [{thresholds}] }}"));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.comparisons[0].thresholds" && e.Message.Contains("23 levels") && e.Message.Contains("at most 15"));

        // 12 thresholds: null, exact, 12 similarity levels, else = 15, the most a comparison may have.
        var twelve = string.Join(", ", Enumerable.Range(1, 12).Select(i => (1 - (i * 0.01)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var ok = LinkageSettings.Parse(WithFirstComparison($"{{ \"column\": \"forename\", \"preset\": \"jaro_winkler\", \"thresholds\": [{twelve}] }}"));
        DataFirst.Core.Comparisons.ComparisonSpec.FromSettings(ok)[0].Levels.Should().HaveCount(15);
    }

    [Fact]
    public void Parse_ColumnWithSourceAndSources_NamesColumn()
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("\"comparisons\"", "\"columns\": [ { \"name\": \"dob\", \"source\": \"d\", \"sources\": [\"y\", \"m\"] } ], \"comparisons\"", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.columns[0]" && e.Message.Contains("not both"));
    }

    [Fact]
    public void Parse_MisspeltProperty_SaysUnknownAndListsAllowed_WithoutDotNetTypeNames()
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("\"deterministic_rules\"", "\"match_treshold\": 0.95, \"deterministic_rules\"", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e =>
            e.Message.StartsWith("settings $.match_treshold: unknown property; allowed here: ", StringComparison.Ordinal)
            && e.Message.Contains("match_threshold") && !e.Message.Contains(".NET") && !e.Message.Contains("DataFirst"));

        var nested = () => LinkageSettings.Parse(Minimal.Replace("\"preset\": \"name\"", "\"preset\": \"name\", \"nick_name\": true", StringComparison.Ordinal));
        nested.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.comparisons[0].nick_name" && e.Message.Contains("nickname"));
    }

    [Theory]
    [InlineData("\"max_block_size\": \"big\"", "$.max_block_size", "expected a number")]
    [InlineData("\"max_block_size\": 2.5", "$.max_block_size", "expected a whole number")]
    [InlineData("\"match_threshold\": \"high\"", "$.match_threshold", "expected a number")]
    [InlineData("\"em\": { \"seed\": true }", "$.em.seed", "expected a number")]
    [InlineData("\"null_values\": \"NA\"", "$.null_values", "expected a list")]
    [InlineData("\"null_values\": [1]", "$.null_values[0]", "expected a string")]
    [InlineData("\"u_sampling\": null", "$.u_sampling", "must not be null")]
    [InlineData("\"max_block_size\": null", "$.max_block_size", "must not be null")]
    public void Parse_WrongKindOfValue_SaysWhatIsExpected_WithoutDotNetTypeNames(string property, string path, string message)
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("\"deterministic_rules\"", property + ", \"deterministic_rules\"", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == path && e.Message.Contains(message) && !e.Message.Contains("System."));
    }

    [Fact]
    public void Parse_EveryExample_StillValid()
    {
        var root = Architecture.CoreDependencyTests.RepoRoot();
        foreach (var f in Directory.GetFiles(Path.Combine(root, "examples"), "*.json").Where(f => !f.EndsWith("evaluation.json", StringComparison.Ordinal) && !f.EndsWith("share-spec.json", StringComparison.Ordinal)))
        {
            var act = () => LinkageSettings.Load(f);
            act.Should().NotThrow(Path.GetFileName(f));
        }
    }

    [Theory]
    [InlineData("{\"type\":\"exact\",\"threshold\":0.9}", "$.comparisons[1].levels[1].threshold", "only jaro_winkler, jaro levels")]
    [InlineData("{\"type\":\"exact\",\"max_distance\":2}", "$.comparisons[1].levels[1].max_distance", "only levenshtein, damerau_levenshtein levels")]
    [InlineData("{\"type\":\"exact\",\"days\":3}", "$.comparisons[1].levels[1].days", "only date_within levels")]
    [InlineData("{\"type\":\"exact\",\"other_column\":\"forename\"}", "$.comparisons[1].levels[1].other_column", "only swapped levels")]
    public void Parse_LevelBoundItsTypeDoesNotRead_NamesPath(string level, string path, string message)
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("{\"type\":\"exact\"}", level, StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == path && e.Message.Contains(message));
    }

    [Fact]
    public void Parse_NullForAnOptionalSetting_IsTheDefault()
    {
        var s = LinkageSettings.Parse(Minimal.Replace("\"deterministic_rules\"", "\"probability_two_random_records_match\": null, \"deterministic_rules\"", StringComparison.Ordinal)
            .Replace("\"preset\": \"name\"", "\"preset\": \"name\", \"thresholds\": null, \"output_column_name\": null", StringComparison.Ordinal));

        s.ProbabilityTwoRandomRecordsMatch.Should().BeNull();
        s.Comparisons[0].Thresholds.Should().BeNull();
    }

    [Fact]
    public void Parse_SyntaxError_NamesTheLine()
    {
        var act = () => LinkageSettings.Parse("{\n  \"unique_id_column\": \"id\",\n  \"link_type\": dedupe\n}");
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.link_type" && e.Message.EndsWith("(line 3).", StringComparison.Ordinal));
    }
}
