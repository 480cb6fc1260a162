using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace DataFirst.Core.Settings;

/// <summary>Which pairs are candidate matches.</summary>
public enum LinkType
{
    /// <summary>All pairs within the (single or concatenated) input.</summary>
    DedupeOnly,

    /// <summary>Only pairs whose records come from different source datasets.</summary>
    LinkOnly,

    /// <summary>All pairs, within and across source datasets.</summary>
    LinkAndDedupe,
}

/// <summary>How a column's raw text is standardised before comparison.</summary>
public enum StandardiseKind
{
    /// <summary>Trim, upper-case, collapse white space.</summary>
    Text,

    /// <summary>Raw value unchanged (trimmed).</summary>
    None,

    /// <summary>Full name: accents, punctuation, titles removed; hyphens become spaces; upper case.</summary>
    Name,

    /// <summary>First token of a cleaned forename field.</summary>
    FirstName,

    /// <summary>Tokens after the first of a cleaned forename field (null when none).</summary>
    OtherNames,

    /// <summary>Date in yyyy-MM-dd, dd/MM/yyyy, yyyyMMdd, d MMM yyyy...; stored as yyyy-MM-dd; impossible dates become null.</summary>
    Date,

    /// <summary>UK postcode, upper case, one space before the inward code.</summary>
    Postcode,

    /// <summary>Sex code: M / F / X (unknown values null).</summary>
    Sex,

    /// <summary>The year (yyyy) of a date read as <see cref="Date"/> reads it; an impossible date becomes null. For
    /// blocking on a name and the year of birth, which keeps a date-of-birth typo in the day or month.</summary>
    Year,
}

/// <summary>What happens when a block exceeds <see cref="LinkageSettings.MaxBlockSize"/>.</summary>
public enum OversizedBlockAction
{
    /// <summary>Stop with a <see cref="BlockingException"/> naming the rule and the block's size.</summary>
    Error,

    /// <summary>Skip the block's pairs and report a warning naming the rule and the block's size.</summary>
    Skip,
}

/// <summary>A standardised column built from an input column.</summary>
public sealed record ColumnSettings
{
    /// <summary>Name of the standardised column (used by comparisons and blocking rules).</summary>
    public string Name { get; init; } = "";

    /// <summary>Input column it is built from; defaults to <see cref="Name"/>.</summary>
    public string? Source { get; init; }

    /// <summary>Several input columns joined with "-" before standardising (e.g. year, month, day → a date);
    /// null when any part is missing. Use instead of <see cref="Source"/>.</summary>
    public IReadOnlyList<string>? Sources { get; init; }

    public StandardiseKind Standardise { get; init; } = StandardiseKind.Text;

    [JsonIgnore]
    public string SourceColumn => Sources is { Count: > 0 } ? string.Join("+", Sources) : Source ?? Name;
}

/// <summary>One comparison level. <see cref="Type"/> is one of <see cref="ComparisonLevelTypes.All"/>.</summary>
public sealed record LevelSettings
{
    public string Type { get; init; } = "";

    /// <summary>Similarity threshold (jaro_winkler, jaro) — the level matches when similarity ≥ threshold.</summary>
    public double? Threshold { get; init; }

    /// <summary>Edit distance bound (levenshtein, damerau_levenshtein) — matches when distance ≤ max_distance.</summary>
    public int? MaxDistance { get; init; }

    /// <summary>Day bound for date_within.</summary>
    public int? Days { get; init; }

    /// <summary>Bound for abs_difference: both values are numbers whose absolute difference is at most this.</summary>
    public double? MaxDifference { get; init; }

    /// <summary>The other column for "swapped" (e.g. surname in a forename comparison) or "exact_other".</summary>
    public string? OtherColumn { get; init; }

    /// <summary>Term-frequency adjustment: on an exact level by the value's frequency; on a similarity level of the same
    /// column by the larger frequency of the two values (both relative to the exact level's u).</summary>
    public bool TfAdjustment { get; init; }

    /// <summary>Display label; defaults to a description of the level.</summary>
    public string? Label { get; init; }
}

/// <summary>A comparison of one column as ordered levels Null → Exact → thresholds → Else, or a preset.</summary>
public sealed record ComparisonSettings
{
    /// <summary>Name shown in the model and the waterfall; defaults to the column.</summary>
    public string? OutputColumnName { get; init; }

    public string Column { get; init; } = "";

    /// <summary>name | date_of_birth | postcode | exact | jaro_winkler | levenshtein | damerau_levenshtein; expands to levels.</summary>
    public string? Preset { get; init; }

    /// <summary>Explicit levels (instead of a preset).</summary>
    public IReadOnlyList<LevelSettings>? Levels { get; init; }

    /// <summary>Preset option: term-frequency adjustment on the exact level.</summary>
    public bool TfAdjustment { get; init; }

    /// <summary>Preset option: term-frequency adjustment on the similarity levels too (Jaro-Winkler, edit distance,
    /// nickname, phonetic), by the more frequent of the two values: a near-match between two common names (SCHMITT,
    /// SCHMIDT) is weak evidence, and a typo of a common name no longer outweighs an exact match on it.</summary>
    public bool TfAdjustmentFuzzy { get; init; }

    /// <summary>Preset "name": add a nickname level (Bob = Robert).</summary>
    public bool Nickname { get; init; }

    /// <summary>Preset "name": add a phonetic (Double-Metaphone-style) level.</summary>
    public bool Phonetic { get; init; }

    /// <summary>Preset "name": add a forename/surname swapped level against this column.</summary>
    public string? SwapWith { get; init; }

    /// <summary>Preset thresholds (jaro_winkler: similarities; levenshtein: distances).</summary>
    public IReadOnlyList<double>? Thresholds { get; init; }

    [JsonIgnore]
    public string Name => OutputColumnName ?? Column;
}

public sealed record USamplingSettings
{
    /// <summary>Random pairs sampled to estimate u.</summary>
    public int MaxPairs { get; init; } = 1_000_000;

    public int Seed { get; init; } = 42;
}

public sealed record EmSettings
{
    public int MaxIterations { get; init; } = 25;

    /// <summary>EM stops when no m or λ changes by more than this between iterations.</summary>
    public double ConvergenceThreshold { get; init; } = 1e-4;

    /// <summary>
    /// Pairs a training rule's session counts at most. A rule that generates more (its blocks grow with the
    /// square of the data: a date-of-birth rule over 8 M records makes over a billion pairs) has a seeded
    /// random sample of its pairs counted instead, each pair kept with the same probability.
    /// </summary>
    public long MaxPairs { get; init; } = 20_000_000;

    /// <summary>Seed of that sample: the same seed keeps the same pairs, whatever the partitions, cores or record order.</summary>
    public int Seed { get; init; } = 42;
}

/// <summary>User-authored linkage settings (immutable). Load with <see cref="Parse"/> / <see cref="Load"/>.</summary>
public sealed record LinkageSettings
{
    public LinkType LinkType { get; init; } = LinkType.DedupeOnly;

    public string UniqueIdColumn { get; init; } = "unique_id";

    /// <summary>Column naming the source dataset; when absent from an input the input's name is used.</summary>
    public string SourceDatasetColumn { get; init; } = "source_dataset";

    /// <summary>Raw values read as missing (besides the empty string), e.g. "NA".</summary>
    public IReadOnlyList<string> NullValues { get; init; } = [];

    /// <summary>Standardised columns. A column used by a comparison or rule but not listed is read as text.</summary>
    public IReadOnlyList<ColumnSettings> Columns { get; init; } = [];

    public IReadOnlyList<ComparisonSettings> Comparisons { get; init; } = [];

    /// <summary>Each rule is a list of columns that must be equal. Earlier rules' pairs are not repeated.</summary>
    public IReadOnlyList<IReadOnlyList<string>> BlockingRulesForPrediction { get; init; } = [];

    /// <summary>Rules for EM sessions (Splink style: each rule trains the comparisons it does not block on).</summary>
    public IReadOnlyList<IReadOnlyList<string>> BlockingRulesForTraining { get; init; } = [];

    /// <summary>Rules whose pairs are taken as matches to estimate λ.</summary>
    public IReadOnlyList<IReadOnlyList<string>> DeterministicRules { get; init; } = [];

    /// <summary>Assumed recall of the deterministic rules (0 &lt; r ≤ 1).</summary>
    public double DeterministicRulesRecall { get; init; } = 0.7;

    /// <summary>Overrides λ estimation when set.</summary>
    public double? ProbabilityTwoRandomRecordsMatch { get; init; }

    public USamplingSettings USampling { get; init; } = new();

    public EmSettings Em { get; init; } = new();

    /// <summary>Pairs at or above this probability are predicted matches (edges for clustering).</summary>
    public double MatchThreshold { get; init; } = 0.9;

    /// <summary>connected_components (default: every link joins), size_aware (connected components with a cluster-size
    /// prior learned from the confident links), average_linkage or complete_linkage (links taken strongest first; two
    /// clusters join only when the mean / every probability over their cross pairs reaches match_threshold).</summary>
    public string Clustering { get; init; } = "connected_components";

    /// <summary>Largest block (records sharing one blocking key) allowed.</summary>
    public int MaxBlockSize { get; init; } = 20_000;

    public OversizedBlockAction OversizedBlocks { get; init; } = OversizedBlockAction.Error;

    /// <summary>Parses and validates settings JSON; throws <see cref="SettingsException"/> naming the JSON path.</summary>
    public static LinkageSettings Parse(string json) => SettingsJson.Parse(json);

    public static LinkageSettings Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException("$", $"cannot read settings file '{path}': {ex.Message}", ex);
        }

        return Parse(text);
    }

    public string ToJson() => SettingsJson.Write(this);

    /// <summary>The JSON path of the first setting in which <paramref name="other"/> differs from these settings (defaults
    /// filled in on both), or null when they are the same.</summary>
    public string? FirstDifferenceFrom(LinkageSettings other) =>
        FirstDifference(JsonNode.Parse(ToJson()), JsonNode.Parse(other.ToJson()), "$");

    private static string? FirstDifference(JsonNode? a, JsonNode? b, string path)
    {
        switch (a, b)
        {
            case (JsonObject x, JsonObject y):
                foreach (var name in x.Select(p => p.Key).Concat(y.Select(p => p.Key)).Distinct(StringComparer.Ordinal))
                {
                    if (FirstDifference(x[name], y[name], $"{path}.{name}") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case (JsonArray x, JsonArray y):
                for (var i = 0; i < Math.Max(x.Count, y.Count); i++)
                {
                    if (i >= x.Count || i >= y.Count)
                    {
                        return path;
                    }

                    if (FirstDifference(x[i], y[i], $"{path}[{i}]") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            default:
                return JsonNode.DeepEquals(a, b) ? null : path;
        }
    }

    /// <summary>Standardised column declaration for <paramref name="name"/> (declared or implicit text).</summary>
    public ColumnSettings ColumnFor(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal))
        ?? new ColumnSettings { Name = name, Standardise = StandardiseKind.Text };

    /// <summary>Every standardised column the engine needs, in a stable order.</summary>
    public IReadOnlyList<ColumnSettings> RequiredColumns()
    {
        var names = new List<string>();
        void Add(string n)
        {
            if (!names.Contains(n, StringComparer.Ordinal))
            {
                names.Add(n);
            }
        }

        foreach (var c in Columns)
        {
            Add(c.Name);
        }

        foreach (var c in Comparisons)
        {
            Add(c.Column);
            foreach (var l in c.Levels ?? [])
            {
                if (l.OtherColumn is not null)
                {
                    Add(l.OtherColumn);
                }
            }

            if (c.SwapWith is not null)
            {
                Add(c.SwapWith);
            }
        }

        foreach (var r in BlockingRulesForPrediction.Concat(BlockingRulesForTraining).Concat(DeterministicRules))
        {
            foreach (var n in r)
            {
                Add(n);
            }
        }

        return names.Select(ColumnFor).ToList();
    }
}
