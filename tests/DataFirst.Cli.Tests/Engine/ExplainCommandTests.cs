using System.Globalization;
using DataFirst.Cli.Tests.Support;

namespace DataFirst.Cli.Tests.Engine;

public sealed class ExplainCommandTests
{
    [Fact]
    public async Task Explain_APredictedPair_GivesItsPredictionWeight_WithoutPersonalValues()
    {
        using var temp = new TempFolder();
        var (input, rows) = await EngineCli.LinkPeople(temp.Path, 400, seed: 5);
        var prediction = EngineCli.ReadCsv(temp.Combine("out", "predictions.csv"))[1];

        var (code, output, error) = await EngineCli.Run("explain", "--model", temp.Combine("out", "model.json"), "--input", input, "--pair", prediction[0], prediction[2]);

        code.Should().Be(CliApp.ExitOk, error);
        output.Should().Contain("blocking: prediction rule").And.Contain("prior (lambda").And.Contain("at or above the match threshold 0.5");
        var json = EngineCli.LastJson(output);
        json.GetProperty("compared").GetBoolean().Should().BeTrue();
        json.GetProperty("match_weight").GetDouble().Should().BeApproximately(double.Parse(prediction[4], CultureInfo.InvariantCulture), 1e-3);
        json.GetProperty("steps").GetArrayLength().Should().Be(5, "one step per comparison of the bench settings");

        // Levels and weights only: neither record's names, date of birth or postcode, nor the ids given.
        foreach (var id in new[] { prediction[0], prediction[2] })
        {
            var row = rows.Single(r => r[0] == id);
            foreach (var value in row.Skip(2).Where(v => v is { Length: > 3 }))
            {
                output.Should().NotContain(value!);
            }
        }
    }

    [Fact]
    public async Task Explain_UnknownOrAmbiguousId_FailsSayingWhichWithoutEchoingIt()
    {
        using var temp = new TempFolder();
        var (input, _) = await EngineCli.LinkPeople(temp.Path, 200, seed: 6);
        File.Copy(input, temp.Combine("copy.csv"));
        var ids = EngineCli.ReadCsv(input).Skip(1).Select(r => r[0]).Take(2).ToArray();

        var (unknown, _, unknownError) = await EngineCli.Run("explain", "--model", temp.Combine("out", "model.json"), "--input", input, "--pair", ids[0], "no-such-id-7731");
        unknown.Should().Be(CliApp.ExitUsage);
        unknownError.Should().Contain("the second id is not a unique id").And.NotContain("no-such-id-7731");

        var both = new[] { "--model", temp.Combine("out", "model.json"), "--input", input, "--input", temp.Combine("copy.csv"), "--pair", ids[0], ids[1] };
        var (ambiguous, _, ambiguousError) = await EngineCli.Run(["explain", .. both]);
        ambiguous.Should().Be(CliApp.ExitUsage);
        ambiguousError.Should().Contain("the first id is in 2 datasets (people, copy)").And.Contain("--datasets");

        var (chosen, chosenOut, chosenError) = await EngineCli.Run(["explain", .. both, "--datasets", "people", "copy"]);
        chosen.Should().Be(CliApp.ExitOk, chosenError);
        chosenOut.Should().Contain("(people) and input row").And.Contain("(copy)");
    }

    [Fact]
    public async Task Explain_PairNoRuleGenerates_SaysItIsNeverCompared()
    {
        using var temp = new TempFolder();
        var (input, rows) = await EngineCli.LinkPeople(temp.Path, 300, seed: 8);

        // Two records that differ on every column the bench's prediction rules use (names, date of birth, postcode).
        var header = EngineCli.ReadCsv(input)[0];
        var keyColumns = new[] { "forename", "surname", "date_of_birth", "postcode" }.Select(c => Array.IndexOf(header, c)).ToArray();
        keyColumns.Should().NotContain(-1);
        var other = rows.First(r => keyColumns.All(c => r[c] != rows[0][c]));

        var (code, output, error) = await EngineCli.Run("explain", "--model", temp.Combine("out", "model.json"), "--input", input, "--pair", rows[0][0]!, other[0]!);

        code.Should().Be(CliApp.ExitOk, error);
        output.Should().Contain("no prediction rule pairs these records").And.Contain("never compared, so never linked");
        EngineCli.LastJson(output).GetProperty("compared").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Explain_UnknownDataset_AmongManySourceDatasets_CountsThemWithoutNamingThem()
    {
        // source_dataset_column set to surname: the inputs' "datasets" are people's surnames.
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        var rows = EngineCli.WritePeople(input, 200, seed: 8);
        var settings = System.Text.Json.Nodes.JsonNode.Parse(DataFirst.Core.Evaluation.SyntheticPeople.BenchSettings)!.AsObject();
        settings["source_dataset_column"] = "surname";
        File.WriteAllText(temp.Combine("settings.json"), settings.ToJsonString());
        var (linked, _, linkError) = await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("out"));
        linked.Should().Be(CliApp.ExitOk, linkError);

        var (code, _, error) = await EngineCli.Run("explain", "--model", temp.Combine("out", "model.json"), "--input", input, "--pair", rows[0][0]!, rows[1][0]!, "--datasets", "no-such-dataset", "other");

        code.Should().Be(CliApp.ExitUsage);
        error.Should().Contain("the first dataset is not among the inputs' datasets (").And.Contain("datasets, not named: too many for source datasets)");
        rows.Select(r => r[3]).Where(v => !string.IsNullOrEmpty(v)).Should().OnlyContain(v => !error.Contains(v!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Explain_ModelWithAZeroU_IsAOneLineErrorNamingTheLevel_NotNaNOrACrash()
    {
        using var temp = new TempFolder();
        var (input, rows) = await EngineCli.LinkPeople(temp.Path, 200, seed: 7);
        var model = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(temp.Combine("out", "model.json")))!;
        model["comparisons"]![0]!["levels"]![1]!["u"] = 0.0;
        File.WriteAllText(temp.Combine("out", "model.json"), model.ToJsonString());

        var (code, output, error) = await EngineCli.Run("explain", "--model", temp.Combine("out", "model.json"), "--input", input, "--pair", rows[0][0]!, rows[1][0]!);

        code.Should().Be(CliApp.ExitUsage);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().Contain("$.comparisons[0].levels[1].u").And.Contain("(0, 1]");
        output.Should().NotContain("Infinity").And.NotContain("NaN");
    }
}
