using DataFirst.Cli.Tests.Support;

namespace DataFirst.Cli.Tests.Engine;

public sealed class LinkCommandTests
{
    [Fact]
    public async Task Link_SyntheticPeople_WritesModelPredictionsClustersAndJsonSummary()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        var rows = EngineCli.WritePeople(input, 600, seed: 4);
        EngineCli.WriteSettings(temp.Combine("settings.json"));

        var (code, output, error) = await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("out"));

        code.Should().Be(CliApp.ExitOk, error);
        output.Should().Contain("ingest: 600 records").And.Contain("training rule 0").And.Contain("clusters:");
        var json = EngineCli.LastJson(output);
        json.GetProperty("records").GetInt32().Should().Be(600);
        json.GetProperty("comparisons").GetInt64().Should().BeGreaterThan(0);
        var clusters = json.GetProperty("clusters").GetInt32();
        var people = rows.Select(r => r[1]).Distinct().Count();
        clusters.Should().BeInRange(people - 30, people + 30, "most duplicates are found and few false links made");
        File.Exists(temp.Combine("out", "model.json")).Should().BeTrue();

        var clusterRows = EngineCli.ReadCsv(temp.Combine("out", "clusters.csv"));
        clusterRows[0].Should().Equal("unique_id", "source_dataset", "cluster_id");
        clusterRows.Skip(1).Select(r => r[2]).Distinct().Count().Should().Be(clusters);
        var predictions = EngineCli.ReadCsv(temp.Combine("out", "predictions.csv"));
        predictions[0].Should().Equal("unique_id_l", "source_dataset_l", "unique_id_r", "source_dataset_r", "match_weight", "match_probability");
        predictions.Skip(1).Should().NotBeEmpty().And.OnlyContain(p => double.Parse(p[5], System.Globalization.CultureInfo.InvariantCulture) >= 0.5);
    }

    [Fact]
    public async Task Link_WithSavedModel_ScoresWithoutTrainingAndGivesTheSameClusters()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        EngineCli.WritePeople(input, 400, seed: 9);
        EngineCli.WriteSettings(temp.Combine("settings.json"));
        var (first, _, _) = await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("a"));
        first.Should().Be(CliApp.ExitOk);

        var (code, output, error) = await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("b"), "--model", temp.Combine("a", "model.json"));

        code.Should().Be(CliApp.ExitOk, error);
        EngineCli.LastJson(output).GetProperty("seconds").TryGetProperty("train", out _).Should().BeFalse("the saved model is used as it is");
        File.ReadAllText(temp.Combine("b", "clusters.csv")).Should().Be(File.ReadAllText(temp.Combine("a", "clusters.csv")));
    }

    [Fact]
    public async Task Link_BadSettings_FailsNamingTheJsonPathWithoutValues()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        var rows = EngineCli.WritePeople(input, 100, seed: 1);
        File.WriteAllText(temp.Combine("settings.json"), DataFirst.Core.Evaluation.SyntheticPeople.BenchSettings.Replace("\"preset\": \"postcode\"", "\"preset\": \"zip\"", StringComparison.Ordinal));

        var (code, output, error) = await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("out"));

        code.Should().NotBe(CliApp.ExitOk);
        error.Should().Contain("$.comparisons[3].preset");
        (output + error).Should().NotContain(rows[0][3]!, "no personal value in messages");
    }

    [Fact]
    public async Task Link_InputLacksAColumn_FailsNamingTheColumn()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        EngineCli.WritePeople(input, 100, seed: 2);
        var lines = File.ReadAllLines(input).Select(l => string.Join(',', l.Split(',').Take(6))).ToArray(); // drop sex
        File.WriteAllLines(input, lines);
        EngineCli.WriteSettings(temp.Combine("settings.json"));

        var (code, _, error) = await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("out"));

        code.Should().NotBe(CliApp.ExitOk);
        error.Should().Contain("sex");
    }

    [Fact]
    public async Task Link_InputWithoutHeaderRow_FailsWithoutPrintingItsFirstLine()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        var rows = EngineCli.WritePeople(input, 50, seed: 3);
        File.WriteAllLines(input, File.ReadAllLines(input).Skip(1));
        EngineCli.WriteSettings(temp.Combine("settings.json"));

        var (code, output, error) = await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("out"));

        code.Should().Be(1);
        error.Should().Contain("input 'people.csv': column 'unique_id' (unique_id_column) is missing; its first line has 7 cell(s)").And.Contain("may be data rather than a header");
        foreach (var value in rows[0][2..6].Where(v => !string.IsNullOrEmpty(v))) // forename, surname, date of birth, postcode
        {
            (output + error).Should().NotContain(value!, "the first line is a record");
        }
    }

    [Fact]
    public async Task Link_SourceDatasetColumnOfPersonalValues_SummaryCountsThemWithAWarning()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        var rows = EngineCli.WritePeople(input, 200, seed: 5);
        var settings = System.Text.Json.Nodes.JsonNode.Parse(DataFirst.Core.Evaluation.SyntheticPeople.BenchSettings)!.AsObject();
        settings["source_dataset_column"] = "surname";
        File.WriteAllText(temp.Combine("settings.json"), settings.ToJsonString());
        var surnames = rows.Select(r => r[3]).Where(v => !string.IsNullOrEmpty(v)).Distinct().ToList();

        var (code, output, error) = await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("out"));

        code.Should().Be(CliApp.ExitOk, error);
        surnames.Count.Should().BeGreaterThan(20);
        output.Should().Contain($"ingest: 200 records ({surnames.Count + (rows.Any(r => string.IsNullOrEmpty(r[3])) ? 1 : 0)} source datasets, not named)");
        error.Should().Contain("warning: source_dataset_column 'surname' has");
        surnames.Should().OnlyContain(s => !output.Contains(s!, StringComparison.Ordinal) && !error.Contains(s!, StringComparison.Ordinal));

        // The saved model outlives the run: its provenance counts the datasets instead of listing them.
        var model = File.ReadAllText(temp.Combine("out", "model.json"));
        surnames.Should().OnlyContain(s => !model.Contains($"\"{s}\"", StringComparison.Ordinal));
        DataFirst.Core.Training.LinkageModel.Load(temp.Combine("out", "model.json")).Provenance.SourceDatasets.Should().BeGreaterThan(20);
    }

    [Fact]
    public async Task Link_PresetWithEmptyThresholds_IsAOneLineUsageErrorNamingThePath_BeforeIngest()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        EngineCli.WritePeople(input, 100, seed: 1);
        File.WriteAllText(temp.Combine("settings.json"), DataFirst.Core.Evaluation.SyntheticPeople.BenchSettings.Replace("\"preset\": \"name\", \"tf_adjustment\": true }", "\"preset\": \"name\", \"tf_adjustment\": true, \"thresholds\": [] }", StringComparison.Ordinal));

        var (code, output, error) = await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("out"));

        code.Should().Be(CliApp.ExitUsage);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().StartWith("datafirst: error: settings $.comparisons[1].thresholds:");
        output.Should().NotContain("ingest:");
    }

    [Fact]
    public async Task Link_BlockAboveMaxBlockSizeWithError_IsAOneLineFailureNamingTheRule()
    {
        using var temp = new TempFolder();
        var input = temp.Combine("people.csv");
        EngineCli.WritePeople(input, 300, seed: 3);
        File.WriteAllText(temp.Combine("settings.json"), DataFirst.Core.Evaluation.SyntheticPeople.BenchSettings.Replace("\"max_block_size\": 50000", "\"max_block_size\": 3, \"oversized_blocks\": \"error\"", StringComparison.Ordinal));

        var (code, _, error) = await EngineCli.Run("link", "--settings", temp.Combine("settings.json"), "--input", input, "--out", temp.Combine("out"));

        code.Should().Be(CliApp.ExitFailure);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().StartWith("datafirst: error: blocking rule ").And.Contain("exceeds max_block_size 3");
    }

    [Fact]
    public async Task Link_WithModelAndSettingsThatDiffer_IsRefusedNamingTheFirstDifference_ButMatchThresholdMayChange()
    {
        using var temp = new TempFolder();
        var (input, _) = await EngineCli.LinkPeople(temp.Path, 300, seed: 9);
        var settings = File.ReadAllText(temp.Combine("settings.json"));
        File.WriteAllText(temp.Combine("other.json"), settings.Replace("\"max_block_size\": 50000", "\"max_block_size\": 40000", StringComparison.Ordinal));
        File.WriteAllText(temp.Combine("threshold.json"), settings.Replace("\"match_threshold\": 0.5", "\"match_threshold\": 0.8", StringComparison.Ordinal));

        var (code, output, error) = await EngineCli.Run("link", "--settings", temp.Combine("other.json"), "--input", input, "--out", temp.Combine("b"), "--model", temp.Combine("out", "model.json"));
        var (thresholdCode, _, thresholdError) = await EngineCli.Run("link", "--settings", temp.Combine("threshold.json"), "--input", input, "--out", temp.Combine("c"), "--model", temp.Combine("out", "model.json"));

        code.Should().Be(CliApp.ExitUsage);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().Contain("--settings differs from the settings --model was trained with at $.max_block_size");
        output.Should().NotContain("ingest:");
        thresholdCode.Should().Be(CliApp.ExitOk, thresholdError);
    }
}
