using System.Text.Json.Nodes;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Tests.Training;

/// <summary>Loading a saved model: a model from another engine version is named as such.</summary>
public sealed class LinkageModelTests
{
    private static readonly Lazy<string> Saved = new(() =>
    {
        var settings = LinkageSettings.Parse(SyntheticPeople.BenchSettings);
        var set = new RecordSetBuilder(settings).AddRows(SyntheticPeople.Header, SyntheticPeople.Generate(1500, 0.25, 5), "synthetic").Build();
        return ModelTrainer.Train(set, settings, DateTimeOffset.UnixEpoch).ToJson();
    });

    private static string Edited(Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(Saved.Value)!.AsObject();
        edit(json);
        return json.ToJsonString();
    }

    [Fact]
    public void FromJson_SavedByThisEngine_RoundTrips()
    {
        var model = LinkageModel.FromJson(Saved.Value);

        model.Provenance.EngineVersion.Should().Be(ModelTrainer.EngineVersion);
        model.ToJson().Should().Be(Saved.Value);
    }

    [Fact]
    public void FromJson_NewerEngineWithASettingThisOneLacks_NamesThePathAndBothVersions()
    {
        var json = Edited(m =>
        {
            m["provenance"]!["engine_version"] = "9.9.9+future";
            m["settings"]!["some_future_setting"] = true;
        });

        var act = () => LinkageModel.FromJson(json);

        act.Should().Throw<SettingsException>()
            .WithMessage($"settings $.settings*model JSON is not valid*written by DataFirst 9.9.9+future and this is {ModelTrainer.EngineVersion}*retrain*");
    }

    [Fact]
    public void FromJson_NewerFormatVersion_IsRefusedBeforeItsContentIsRead()
    {
        var json = Edited(m =>
        {
            m["version"] = LinkageModel.FormatVersion + 1;
            m["provenance"]!["engine_version"] = "9.9.9";
            m["a_future_section"] = new JsonObject();
        });

        var act = () => LinkageModel.FromJson(json);

        act.Should().Throw<SettingsException>().Which.Message.Should()
            .StartWith($"settings $.version: model format version {LinkageModel.FormatVersion + 1} is not supported (this engine reads version {LinkageModel.FormatVersion}).")
            .And.Contain("written by DataFirst 9.9.9");
    }

    [Fact]
    public void FromJson_SameEngineInvalidModel_SaysWhatIsWrongWithoutBlamingAVersion()
    {
        var unknown = Edited(m => m["settings"]!["no_such_setting"] = 1);
        var malformed = Saved.Value[..(Saved.Value.Length / 2)];

        FluentActions.Invoking(() => LinkageModel.FromJson(unknown)).Should().Throw<SettingsException>()
            .Which.Message.Should().Contain("no_such_setting").And.Contain("unknown property").And.NotContain("written by").And.NotContain(".NET");
        FluentActions.Invoking(() => LinkageModel.FromJson(Edited(m => m["lambda"] = "high"))).Should().Throw<SettingsException>()
            .Which.Message.Should().StartWith("settings $.lambda: model JSON is not valid: a value of the wrong kind").And.NotContain("System.");
        FluentActions.Invoking(() => LinkageModel.FromJson(malformed)).Should().Throw<SettingsException>()
            .Which.Message.Should().Contain("model JSON is not valid").And.NotContain("written by");
    }

    [Theory]
    [InlineData("u", 0.0, "$.comparisons[1].levels[2].u")]
    [InlineData("m", 0.0, "$.comparisons[1].levels[2].m")]
    [InlineData("m", -0.1, "$.comparisons[1].levels[2].m")]
    [InlineData("u", 1.5, "$.comparisons[1].levels[2].u")]
    public void FromJson_LevelProbabilityOutsideZeroToOne_NamesComparisonAndLevel(string which, double value, string path)
    {
        var json = Edited(m => m["comparisons"]![1]!["levels"]![2]![which] = value);

        var act = () => LinkageModel.FromJson(json);

        var name = LinkageModel.FromJson(Saved.Value).Comparisons[1].Name;
        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == path && e.Message.Contains($"comparison '{name}' level 2") && e.Message.Contains("(0, 1]"));
    }

    [Fact]
    public void FromJson_MOfAComparisonNotSummingToOne_NamesComparison()
    {
        var json = Edited(m =>
        {
            var level = m["comparisons"]![0]!["levels"]![1]!;
            level["m"] = (level["m"]!.GetValue<double>() / 2) + 0.0001;
        });

        var act = () => LinkageModel.FromJson(json);

        act.Should().Throw<SettingsException>().Where(e => e.JsonPath == "$.comparisons[0].levels" && e.Message.Contains("m over its non-null levels sums to"));
    }
}
