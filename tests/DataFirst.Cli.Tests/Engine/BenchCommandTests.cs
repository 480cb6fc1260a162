namespace DataFirst.Cli.Tests.Engine;

/// <summary>Runs alone: the bench's memory figures are read from the whole process's heap, which tests running beside it
/// would add to (the record-set figure then exceeded the bytes the load allocated, and the test failed at random).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "process memory";
}

[Collection(ProcessMemoryCollection.Name)]
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Bench_SmallRun_PrintsThroughputStagesMemoryAndJson()
    {
        var (code, output, error) = await EngineCli.Run("bench", "--records", "3000", "--seed", "5");

        code.Should().Be(CliApp.ExitOk, error);
        output.Should().Contain("scoring stage end to end").And.Contain("scoring kernel").And.Contain("peak memory").And.Contain("load average");
        var json = EngineCli.LastJson(output);
        json.GetProperty("records").GetInt32().Should().Be(3000);
        json.GetProperty("comparisons").GetInt64().Should().BeGreaterThan(0);
        json.GetProperty("scoring_comparisons_per_second_per_core").GetDouble().Should().BeGreaterThan(0);
        json.GetProperty("kernel_comparisons_per_second_single_thread").GetDouble().Should().BeGreaterThan(0);
        var seconds = json.GetProperty("seconds");
        seconds.EnumerateObject().Select(p => p.Name).Should().Contain(["ingest", "train", "predict", "cluster"]);
        seconds.EnumerateObject().Should().OnlyContain(p => p.Value.GetDouble() > 0, "every stage did work, and its time is printed to the microsecond");
        // The printed predict time is the one the throughput was computed from (a time rounded to zero broke this).
        var predicted = json.GetProperty("scoring_comparisons_per_second_per_core").GetDouble() * seconds.GetProperty("predict").GetDouble() * json.GetProperty("cores").GetInt32();
        predicted.Should().BeApproximately(json.GetProperty("comparisons").GetInt64(), json.GetProperty("comparisons").GetInt64() * 0.01);
        json.GetProperty("peak_memory_mib").GetDouble().Should().BeGreaterThan(0);
        json.GetProperty("record_set_mib").GetDouble().Should().BeGreaterThan(0);
        json.GetProperty("record_set_load_allocated_mib").GetDouble().Should().BeGreaterThanOrEqualTo(json.GetProperty("record_set_mib").GetDouble());
        json.GetProperty("record_set_parts_mib").GetDouble().Should().BeGreaterThan(0);
        json.GetProperty("f1").GetDouble().Should().BeGreaterThan(0.8);
        if (OperatingSystem.IsLinux())
        {
            json.GetProperty("load_average_before").GetArrayLength().Should().Be(3);
        }
    }

    [Fact]
    public async Task BenchJustice_SmallPopulation_LinksExtractsAndScoresAgainstTruth()
    {
        var (code, output, error) = await EngineCli.Run("bench", "--justice", "--people", "400", "--seed", "3");

        code.Should().Be(CliApp.ExitOk, error);
        output.Should().Contain("person linkage vs truth/persons.csv");
        var json = EngineCli.LastJson(output);
        json.GetProperty("mode").GetString().Should().Be("justice");
        json.GetProperty("records_per_dataset").GetProperty("magistrates").GetInt32().Should().BeGreaterThan(0);
        json.GetProperty("precision").GetDouble().Should().BeGreaterThan(0.9);
        json.GetProperty("recall").GetDouble().Should().BeGreaterThan(0.9);
        json.GetProperty("clusters").GetInt32().Should().BeLessThan(json.GetProperty("records").GetInt32());
    }

    [Fact]
    public async Task Bench_TooFewRecords_IsAUsageError()
    {
        var (code, _, error) = await EngineCli.Run("bench", "--records", "5");

        code.Should().Be(CliApp.ExitUsage);
        error.Should().Contain("--records");
    }

    [Fact]
    public async Task BenchJustice_BadSettingsFile_IsAOneLineUsageErrorNamingThePath()
    {
        using var temp = new DataFirst.Cli.Tests.Support.TempFolder();
        File.WriteAllText(temp.Combine("settings.json"), DataFirst.Core.Evaluation.SyntheticPeople.BenchSettings.Replace("\"match_threshold\": 0.9", "\"match_treshold\": 0.9", StringComparison.Ordinal));

        var (code, output, error) = await EngineCli.Run("bench", "--justice", "--people", "50", "--settings", temp.Combine("settings.json"));

        code.Should().Be(CliApp.ExitUsage);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().StartWith("datafirst: error: settings $.match_treshold: unknown property; allowed here:");
        output.Should().NotContain("generated", "the settings are read before anything is generated");
    }

    [Fact]
    public async Task Bench_SettingsWithoutJustice_IsAUsageError()
    {
        var (code, output, error) = await EngineCli.Run("bench", "--records", "100", "--settings", "whatever.json");

        code.Should().Be(CliApp.ExitUsage);
        error.Should().Contain("--settings").And.Contain("--justice");
        output.Should().BeEmpty();
    }
}
