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
    public void Parse_ThresholdOutOfRange_NamesPath()
    {
        var act = () => LinkageSettings.Parse(Minimal.Replace("\"deterministic_rules\"", "\"match_threshold\": 1.5, \"deterministic_rules\"", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.match_threshold");
    }
}
