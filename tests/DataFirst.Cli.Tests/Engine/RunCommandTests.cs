using DataFirst.Cli.Tests.Support;

namespace DataFirst.Cli.Tests.Engine;

/// <summary>`datafirst run` options checked before the pipeline starts.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_WithModelAndSettingsThatDiffer_IsRefusedBeforeAnythingIsStored()
    {
        using var temp = new TempFolder();
        var (input, _) = await EngineCli.LinkPeople(temp.Path, 200, seed: 8);
        var settings = File.ReadAllText(temp.Combine("settings.json"));
        File.WriteAllText(temp.Combine("threshold.json"), settings.Replace("\"match_threshold\": 0.5", "\"match_threshold\": 0.8", StringComparison.Ordinal));

        var (code, _, error) = await EngineCli.Run("run", "--input", input, "--model", temp.Combine("out", "model.json"), "--settings", temp.Combine("threshold.json"), "--data", temp.Combine("data"));

        code.Should().Be(CliApp.ExitUsage);
        error.Trim().Split('\n').Should().ContainSingle();
        error.Should().Contain("--settings differs from the settings --model was trained with at $.match_threshold");
        Directory.Exists(temp.Combine("data")).Should().BeFalse("nothing is stored for a refused run");
    }
}
