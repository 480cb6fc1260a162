using System.Text.Json;
using DataFirst.Core.Comparisons;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Training;

/// <summary>m and u of one comparison level (null levels carry m = u = 1: no evidence).</summary>
public sealed record LevelParameters(string Label, string Type, double M, double U, bool TfAdjustment);

public sealed record ComparisonParameters(string Name, string Column, IReadOnlyList<LevelParameters> Levels);

/// <summary>One EM session (one training blocking rule): <paramref name="Pairs"/> counted of the <paramref name="PairsGenerated"/> the rule generated
/// (fewer when em.max_pairs made it count a seeded sample; 0 in models saved before that setting existed).</summary>
public sealed record TrainingSession(int RuleIndex, IReadOnlyList<string> Rule, long Pairs, int Iterations, bool Converged, double Lambda, IReadOnlyList<string> ComparisonsFixed, long PairsGenerated = 0);

/// <summary>Where and how a model was trained.</summary>
public sealed record TrainingProvenance
{
    public DateTimeOffset TrainedAtUtc { get; init; }

    public string EngineVersion { get; init; } = "";

    public long Records { get; init; }

    /// <summary>Records per source dataset, named only when there are at most <see cref="Ingest.IngestReport.MaxDatasetsNamed"/>
    /// datasets (see <see cref="NamedCounts"/>); <see cref="SourceDatasets"/> always says how many there were.</summary>
    public IReadOnlyDictionary<string, int> RecordsPerDataset { get; init; } = new Dictionary<string, int>();

    /// <summary>How many source datasets the model was trained on (0 in models saved before this was recorded).</summary>
    public int SourceDatasets { get; init; }

    /// <summary>The per-dataset counts a model may keep: all of them for up to <see cref="Ingest.IngestReport.MaxDatasetsNamed"/>
    /// datasets, none beyond. More names than that means the source-dataset column holds something else (a surname,
    /// say), and a saved model, which outlives the run and is handed around, must not list its values.</summary>
    public static IReadOnlyDictionary<string, int> NamedCounts(IReadOnlyDictionary<string, int> perDataset) =>
        perDataset.Count > Ingest.IngestReport.MaxDatasetsNamed ? new Dictionary<string, int>() : perDataset;

    public long DeterministicPairs { get; init; }

    public double TotalPossiblePairs { get; init; }

    public string LambdaSource { get; init; } = "";

    public long USamplePairs { get; init; }

    public int USampleSeed { get; init; }

    public IReadOnlyList<TrainingSession> Sessions { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>A trained Fellegi–Sunter model: the settings it was trained with, λ, m and u per level, provenance.
/// Term-frequency tables are not part of it (they hold personal values): they are computed from the data
/// being scored, or passed alongside.</summary>
public sealed record LinkageModel
{
    public const int FormatVersion = 1;

    public int Version { get; init; } = FormatVersion;

    public required LinkageSettings Settings { get; init; }

    /// <summary>Probability that two random records match (λ).</summary>
    public required double Lambda { get; init; }

    public required IReadOnlyList<ComparisonParameters> Comparisons { get; init; }

    public TrainingProvenance Provenance { get; init; } = new();

    public string ToJson() => JsonSerializer.Serialize(this, SettingsJson.Options);

    public void Save(string path) => File.WriteAllText(path, ToJson());

    public static LinkageModel FromJson(string json)
    {
        // The format version and the engine that wrote the model are read before the strict deserialization, so a
        // model from another version is named as such instead of failing on the first property this engine lacks.
        var (version, writtenBy) = PeekOrigin(json);
        var origin = writtenBy is null || writtenBy == ModelTrainer.EngineVersion
            ? ""
            : $" The model was written by DataFirst {writtenBy} and this is {ModelTrainer.EngineVersion}: score with the version that trained it, or retrain with this one.";
        if (version is { } v && v != FormatVersion)
        {
            throw new SettingsException("$.version", $"model format version {v} is not supported (this engine reads version {FormatVersion}).{origin}");
        }

        LinkageModel? model;
        try
        {
            model = JsonSerializer.Deserialize<LinkageModel>(json, SettingsJson.Options);
        }
        catch (JsonException ex)
        {
            throw new SettingsException(string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path, $"model JSON is not valid: {SettingsJson.Describe(ex)}{origin}", ex);
        }

        if (model is null)
        {
            throw new SettingsException("$", "model JSON is empty.");
        }

        // Validate the embedded settings and that parameters match their comparisons.
        var settings = LinkageSettings.Parse(model.Settings.ToJson());
        var specs = ComparisonSpec.FromSettings(settings);
        if (specs.Count != model.Comparisons.Count)
        {
            throw new SettingsException("$.comparisons", $"the model has {model.Comparisons.Count} comparisons but its settings declare {specs.Count}.");
        }

        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i].Levels.Count != model.Comparisons[i].Levels.Count)
            {
                throw new SettingsException($"$.comparisons[{i}].levels", $"comparison '{specs[i].Name}' has {model.Comparisons[i].Levels.Count} levels in the model but {specs[i].Levels.Count} in its settings.");
            }
        }

        if (model.Lambda is <= 0 or >= 1 || double.IsNaN(model.Lambda))
        {
            throw new SettingsException("$.lambda", "must be strictly between 0 and 1.");
        }

        ValidateParameters(model.Comparisons, specs);

        return model with { Settings = settings };
    }

    /// <summary>Largest distance from 1 allowed for the sum of a comparison's m (or u) over its non-null levels: EM floors
    /// an unseen level's m at 1e-6, so a trained model's sums exceed 1 by up to that per level.</summary>
    private const double SumTolerance = 1e-3;

    /// <summary>Every level's m and u is a probability in (0, 1] (a 0 or NaN makes its weight infinite or NaN, and pairs at
    /// that level drop out of the predictions silently), and over a comparison's non-null levels m and u each sum to 1.</summary>
    private static void ValidateParameters(IReadOnlyList<ComparisonParameters> comparisons, IReadOnlyList<ComparisonSpec> specs)
    {
        for (var c = 0; c < comparisons.Count; c++)
        {
            var levels = comparisons[c].Levels;
            var path = $"$.comparisons[{c}].levels";
            var name = specs[c].Name;
            for (var l = 0; l < levels.Count; l++)
            {
                var label = specs[c].Levels[l].Label;
                foreach (var (value, which) in new[] { (levels[l].M, "m"), (levels[l].U, "u") })
                {
                    if (!(value is > 0 and <= 1))
                    {
                        throw new SettingsException($"{path}[{l}].{which}", $"comparison '{name}' level {l} ({label}): {which} must be a probability in (0, 1]; the model file is corrupt: retrain.");
                    }
                }
            }

            foreach (var (sum, which) in new[] { (levels.Skip(1).Sum(x => x.M), "m"), (levels.Skip(1).Sum(x => x.U), "u") })
            {
                if (Math.Abs(sum - 1) > SumTolerance)
                {
                    throw new SettingsException(path, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"comparison '{name}': {which} over its non-null levels sums to {sum:0.######}, not 1; the model file is corrupt: retrain."));
                }
            }
        }
    }

    /// <summary>The top-level <c>version</c> and <c>provenance.engine_version</c>, where the JSON has them (null otherwise,
    /// including JSON that does not parse: the deserializer then says what is wrong).</summary>
    private static (int? Version, string? EngineVersion) PeekOrigin(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            int? version = doc.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;
            var engine = doc.RootElement.TryGetProperty("provenance", out var p) && p.ValueKind == JsonValueKind.Object
                && p.TryGetProperty("engine_version", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            return (version, string.IsNullOrEmpty(engine) ? null : engine);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public static LinkageModel Load(string path)
    {
        try
        {
            return FromJson(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException("$", $"cannot read model file '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>This model with a different match threshold (e.g. for a threshold sweep).</summary>
    public LinkageModel WithThreshold(double threshold) => this with { Settings = Settings with { MatchThreshold = threshold } };
}
