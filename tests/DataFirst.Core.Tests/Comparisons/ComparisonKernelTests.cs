using DataFirst.Core.Comparisons;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Tests.Comparisons;

public sealed class ComparisonKernelTests
{
    private const string Settings = """
    {
      "unique_id_column": "id",
      "comparisons": [
        { "column": "day", "levels": [ {"type":"null"}, {"type":"exact"}, {"type":"abs_difference","max_difference":1}, {"type":"abs_difference","max_difference":3.5}, {"type":"else"} ] }
      ],
      "blocking_rules_for_prediction": [["day"]],
      "probability_two_random_records_match": 0.01
    }
    """;

    [Theory]
    [InlineData("7", "7", 1)]
    [InlineData("7", "8", 2)]
    [InlineData("8", "7", 2)]
    [InlineData("7", "10", 3)]
    [InlineData("7", "11", 4)]
    [InlineData("1.5", "2.5", 2)]
    [InlineData("7", "X", 4)]
    [InlineData("7", "", 0)]
    public void Level_AbsDifference_BoundsInclusiveAndTextFallsThrough(string a, string b, int expected)
    {
        var s = LinkageSettings.Parse(Settings);
        var rs = new RecordSetBuilder(s).AddRows(["id", "day"], [["1", a], ["2", b]], "d").Build();
        var kernel = new ComparisonKernel(ComparisonSpec.FromSettings(s)[0], rs);
        kernel.Level(0, 1).Should().Be(expected);
    }

    [Fact]
    public void Parse_AbsDifferenceWithoutBound_NamesPath()
    {
        var act = () => LinkageSettings.Parse(Settings.Replace(",\"max_difference\":1", "", StringComparison.Ordinal));
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.comparisons[0].levels[2].max_difference");
    }

    [Theory]
    [InlineData("SMITH", "SCHMIDT", true)]
    [InlineData("THOMSON", "THOMPSON", true)]
    [InlineData("SMITH", "JONES", false)]
    public void Level_Phonetic_MatchesOnPrimaryOrAlternateCode(string a, string b, bool phonetic)
    {
        var s = LinkageSettings.Parse("""
        {
          "unique_id_column": "id",
          "comparisons": [ { "column": "surname", "levels": [ {"type":"null"}, {"type":"exact"}, {"type":"phonetic"}, {"type":"else"} ] } ],
          "blocking_rules_for_prediction": [["surname"]],
          "probability_two_random_records_match": 0.01
        }
        """);
        var rs = new RecordSetBuilder(s).AddRows(["id", "surname"], [["1", a], ["2", b]], "d").Build();
        var kernel = new ComparisonKernel(ComparisonSpec.FromSettings(s)[0], rs);
        kernel.Level(0, 1).Should().Be(phonetic ? 2 : 3);
    }

    [Fact]
    public void Vectorizer_ComparisonWithMoreThan15Levels_BuiltInCode_IsRefused_NotPackedIntoTheNextComparison()
    {
        var s = LinkageSettings.Parse("""
        {
          "unique_id_column": "id",
          "comparisons": [ { "column": "surname", "preset": "jaro_winkler" }, { "column": "forename", "preset": "exact" } ],
          "blocking_rules_for_prediction": [["surname"]],
          "probability_two_random_records_match": 0.01
        }
        """);
        var many = s with { Comparisons = [s.Comparisons[0] with { Thresholds = Enumerable.Range(1, 20).Select(i => 1 - (i * 0.01)).ToList() }, s.Comparisons[1]] };
        var rs = new RecordSetBuilder(many).AddRows(["id", "surname", "forename"], [["1", "A", "B"], ["2", "C", "D"]], "d").Build();

        var act = () => new ComparisonVectorizer(ComparisonSpec.FromSettings(many), rs);

        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.comparisons[0]" && e.Message.Contains("23 levels") && e.Message.Contains("at most 15"));
    }
}
