using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataFirst.Core.Settings;

/// <summary>The level types a comparison may declare, and the presets.</summary>
public static class ComparisonLevelTypes
{
    public const string Null = "null";
    public const string Exact = "exact";
    public const string JaroWinkler = "jaro_winkler";
    public const string Jaro = "jaro";
    public const string Levenshtein = "levenshtein";
    public const string DamerauLevenshtein = "damerau_levenshtein";
    public const string Nickname = "nickname";
    public const string Phonetic = "phonetic";
    public const string Swapped = "swapped";
    public const string DateDayMonthSwap = "date_day_month_swap";
    public const string DateWithin = "date_within";
    public const string PostcodeSector = "postcode_sector";
    public const string PostcodeDistrict = "postcode_district";
    public const string PostcodeArea = "postcode_area";
    public const string AbsDifference = "abs_difference";
    public const string Else = "else";

    public static readonly IReadOnlyList<string> All =
    [
        Null, Exact, JaroWinkler, Jaro, Levenshtein, DamerauLevenshtein, Nickname, Phonetic, Swapped,
        DateDayMonthSwap, DateWithin, PostcodeSector, PostcodeDistrict, PostcodeArea, AbsDifference, Else,
    ];

    /// <summary>Levels that may carry a term-frequency adjustment: exact, and the similarity levels of one column
    /// (these use the more frequent of the two values).</summary>
    public static readonly IReadOnlyList<string> TfAdjustable =
        [Exact, JaroWinkler, Jaro, Levenshtein, DamerauLevenshtein, Nickname, Phonetic];

    /// <summary>Presets whose similarity levels <c>tf_adjustment_fuzzy</c> applies to.</summary>
    public static readonly IReadOnlyList<string> FuzzyTfPresets = ["name", "jaro_winkler", "levenshtein", "damerau_levenshtein"];

    public static readonly IReadOnlyList<string> Presets =
        ["name", "date_of_birth", "postcode", "exact", "jaro_winkler", "levenshtein", "damerau_levenshtein"];
}

internal static class SettingsJson
{
    internal static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(), // CheckShape reads the property names
        };
        o.Converters.Add(new SnakeEnumConverter<LinkType>());
        o.Converters.Add(new SnakeEnumConverter<StandardiseKind>());
        o.Converters.Add(new SnakeEnumConverter<OversizedBlockAction>());
        return o;
    }

    public static string Write(LinkageSettings settings) => JsonSerializer.Serialize(settings, Options);

    public static LinkageSettings Parse(string json)
    {
        LinkageSettings? s;
        CheckShape(json);
        try
        {
            s = JsonSerializer.Deserialize<LinkageSettings>(json, Options);
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
            throw new SettingsException(path, Describe(ex), ex);
        }

        if (s is null)
        {
            throw new SettingsException("$", "the settings document is empty (null); expected an object.");
        }

        Validate(s);
        return s;
    }

    /// <summary>What a deserialisation error says, without the serializer's .NET type names (the path is named apart).</summary>
    internal static string Describe(JsonException ex) =>
        ex.InnerException is SettingsValueException sv ? sv.Message
        : ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown property."
        : ex.Message.Contains("could not be converted", StringComparison.Ordinal) ? "a value of the wrong kind."
        : ex.LineNumber is { } line ? $"{Clean(ex.Message).TrimEnd('.')} (line {line + 1})."
        : Clean(ex.Message);

    private static string Clean(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }

    /// <summary>
    /// Walks the JSON against the settings types before deserialising, so an unknown property or a value of the wrong
    /// kind is reported in the product's words (<c>settings $.match_treshold: unknown property; allowed here: …</c>,
    /// <c>settings $.max_block_size: expected a whole number</c>) instead of the serializer's, which names .NET types.
    /// JSON that does not parse is left to the deserialiser, whose message gives the line.
    /// </summary>
    private static void CheckShape(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            return;
        }

        using (doc)
        {
            CheckShape(doc.RootElement, typeof(LinkageSettings), "$");
        }
    }

    private static void CheckShape(JsonElement e, Type type, string path, bool nullAllowed = false)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            // Null only where the setting is optional (a nullable property); elsewhere leaving it out gives the default.
            Require(nullAllowed || Nullable.GetUnderlyingType(type) is not null, path, "must not be null; leave it out for the default.");
            return;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;

        if (type.IsEnum)
        {
            return; // SnakeEnumConverter names the allowed values.
        }

        if (type == typeof(string))
        {
            Require(e.ValueKind == JsonValueKind.String, path, "expected a string.");
        }
        else if (type == typeof(bool))
        {
            Require(e.ValueKind is JsonValueKind.True or JsonValueKind.False, path, "expected true or false.");
        }
        else if (type == typeof(int))
        {
            Require(e.ValueKind == JsonValueKind.Number, path, "expected a number.");
            Require(e.TryGetInt32(out _), path, "expected a whole number (at most 2147483647).");
        }
        else if (type == typeof(long))
        {
            Require(e.ValueKind == JsonValueKind.Number, path, "expected a number.");
            Require(e.TryGetInt64(out _), path, "expected a whole number.");
        }
        else if (type == typeof(double))
        {
            Require(e.ValueKind == JsonValueKind.Number, path, "expected a number.");
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            Require(e.ValueKind == JsonValueKind.Array, path, "expected a list [ … ].");
            var item = type.GetGenericArguments()[0];
            var i = 0;
            foreach (var x in e.EnumerateArray())
            {
                CheckShape(x, item, $"{path}[{i++}]");
            }
        }
        else if (type.IsClass && type.Namespace == typeof(LinkageSettings).Namespace)
        {
            Require(e.ValueKind == JsonValueKind.Object, path, "expected an object { … }.");
            var info = Options.GetTypeInfo(type);
            foreach (var p in e.EnumerateObject())
            {
                var prop = info.Properties.FirstOrDefault(x => string.Equals(x.Name, p.Name, StringComparison.Ordinal));
                var at = path + "." + p.Name;
                Require(prop is not null, at, $"unknown property; allowed here: {string.Join(", ", info.Properties.Select(x => x.Name))}.");
                CheckShape(p.Value, prop!.PropertyType, at, prop.IsSetNullable);
            }
        }
    }

    private static void Validate(LinkageSettings s)
    {
        Require(!string.IsNullOrWhiteSpace(s.UniqueIdColumn), "$.unique_id_column", "must name the unique id column.");
        Require(!string.IsNullOrWhiteSpace(s.SourceDatasetColumn), "$.source_dataset_column", "must name the source dataset column.");
        Require(s.Comparisons.Count > 0, "$.comparisons", "at least one comparison is required.");
        Require(s.Comparisons.Count <= 16, "$.comparisons", "at most 16 comparisons are supported.");
        Require(s.BlockingRulesForPrediction.Count > 0, "$.blocking_rules_for_prediction", "at least one blocking rule (a list of column names) is required.");
        Require(s.DeterministicRulesRecall is > 0 and <= 1, "$.deterministic_rules_recall", "must be in (0, 1].");
        Require(s.MatchThreshold is > 0 and < 1, "$.match_threshold", "must be a probability strictly between 0 and 1.");
        Require(s.MaxBlockSize >= 2, "$.max_block_size", "must be at least 2.");
        Require(s.USampling.MaxPairs >= 1000, "$.u_sampling.max_pairs", "must be at least 1000.");
        Require(s.Em.MaxIterations >= 1, "$.em.max_iterations", "must be at least 1.");
        Require(s.Em.ConvergenceThreshold > 0, "$.em.convergence_threshold", "must be positive.");
        Require(s.Em.MaxPairs >= 1000, "$.em.max_pairs", "must be at least 1000.");
        if (s.ProbabilityTwoRandomRecordsMatch is { } p)
        {
            Require(p is > 0 and < 1, "$.probability_two_random_records_match", "must be strictly between 0 and 1.");
        }
        else
        {
            Require(s.DeterministicRules.Count > 0, "$.deterministic_rules", "give at least one deterministic rule to estimate λ, or set probability_two_random_records_match.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < s.Columns.Count; i++)
        {
            var c = s.Columns[i];
            Require(!string.IsNullOrWhiteSpace(c.Name), $"$.columns[{i}].name", "must be a non-empty column name.");
            Require(names.Add(c.Name), $"$.columns[{i}].name", $"column '{c.Name}' is declared twice.");
            Require(c.Source is null || c.Sources is null, $"$.columns[{i}]", "give either \"source\" or \"sources\", not both.");
            Require(c.Sources is null || c.Sources.Count > 0, $"$.columns[{i}].sources", "a non-empty list of input columns (joined with \"-\"), or leave it out.");
        }

        var outputs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < s.Comparisons.Count; i++)
        {
            var c = s.Comparisons[i];
            var path = $"$.comparisons[{i}]";
            Require(!string.IsNullOrWhiteSpace(c.Column), path + ".column", "must name the column compared.");
            Require(outputs.Add(c.Name), path + ".output_column_name", $"comparison name '{c.Name}' is used twice; set output_column_name.");
            Require((c.Preset is null) != (c.Levels is null), path, "give either \"preset\" or \"levels\", not both and not neither.");
            if (c.Preset is not null)
            {
                Require(ComparisonLevelTypes.Presets.Contains(c.Preset), path + ".preset", $"unknown preset '{c.Preset}'; allowed: {string.Join(", ", ComparisonLevelTypes.Presets)}.");
                Require(!c.TfAdjustmentFuzzy || ComparisonLevelTypes.FuzzyTfPresets.Contains(c.Preset), path + ".tf_adjustment_fuzzy", $"only the presets with similarity levels take it: {string.Join(", ", ComparisonLevelTypes.FuzzyTfPresets)}.");
                ValidatePresetOptions(c, path);
            }
            else
            {
                foreach (var (set, option) in PresetOptionsSet(c))
                {
                    Require(!set, $"{path}.{option}", "a preset option; with explicit \"levels\" put it on a level (or use a preset).");
                }

                ValidateLevels(c.Levels!, path + ".levels");
            }
        }

        _ = Clustering.ConnectedComponents.ParseLinkage(s.Clustering);
        ValidateRules(s.BlockingRulesForPrediction, "$.blocking_rules_for_prediction");
        ValidateRules(s.BlockingRulesForTraining, "$.blocking_rules_for_training");
        ValidateRules(s.DeterministicRules, "$.deterministic_rules");
    }

    /// <summary>The options only presets read (tf_adjustment is left out: explicit levels are checked for it separately).</summary>
    private static IEnumerable<(bool Set, string Option)> PresetOptionsSet(ComparisonSettings c) =>
    [
        (c.Thresholds is not null, "thresholds"),
        (c.Nickname, "nickname"),
        (c.Phonetic, "phonetic"),
        (c.SwapWith is not null, "swap_with"),
        (c.TfAdjustmentFuzzy, "tf_adjustment_fuzzy"),
    ];

    private static void ValidatePresetOptions(ComparisonSettings c, string path)
    {
        var preset = c.Preset!;
        var isName = preset == "name";
        Require(!c.Nickname || isName, path + ".nickname", $"only the \"name\" preset takes it, not \"{preset}\".");
        Require(!c.Phonetic || isName, path + ".phonetic", $"only the \"name\" preset takes it, not \"{preset}\".");
        Require(c.SwapWith is null || isName, path + ".swap_with", $"only the \"name\" preset takes it, not \"{preset}\".");
        Require(c.SwapWith is null || !string.IsNullOrWhiteSpace(c.SwapWith), path + ".swap_with", "must name the column swapped with (e.g. surname).");
        if (c.Thresholds is not { } t)
        {
            return;
        }

        var p = path + ".thresholds";
        switch (preset)
        {
            case "name" or ComparisonLevelTypes.JaroWinkler:
                Require(t.Count > 0, p, "a non-empty list of similarities in (0, 1], e.g. [0.92, 0.88], or leave it out for the defaults.");
                for (var i = 0; i < t.Count; i++)
                {
                    RequireSimilarity(t[i], $"{p}[{i}]");
                }

                break;
            case ComparisonLevelTypes.Levenshtein or ComparisonLevelTypes.DamerauLevenshtein:
                Require(t.Count > 0, p, "a non-empty list of edit distances between 1 and 10, e.g. [1, 2], or leave it out for the defaults.");
                for (var i = 0; i < t.Count; i++)
                {
                    Require(t[i] is >= 1 and <= MaxEditDistance && Math.Floor(t[i]) == t[i], $"{p}[{i}]", $"required: a whole edit distance between 1 and {MaxEditDistance}.");
                }

                break;
            default:
                throw new SettingsException(p, $"the \"{preset}\" preset takes no thresholds; only {string.Join(", ", ThresholdPresets)} do.");
        }

        var levels = Comparisons.ComparisonSpec.Expand(c).Levels.Count;
        Require(levels <= MaxLevels, p, $"this preset expands to {levels} levels and at most {MaxLevels} are supported (null, exact, else and the preset's other levels count too): give fewer thresholds.");
    }

    /// <summary>A Jaro(-Winkler) threshold, of an explicit level or of a preset's list.</summary>
    private static void RequireSimilarity(double? threshold, string path) =>
        Require(threshold is > 0 and <= 1, path, "required: a similarity in (0, 1], e.g. 0.92.");

    private static readonly string[] ThresholdPresets = ["name", ComparisonLevelTypes.JaroWinkler, ComparisonLevelTypes.Levenshtein, ComparisonLevelTypes.DamerauLevenshtein];

    /// <summary>Levels a comparison may have: a pair's levels are packed 4 bits per comparison.</summary>
    internal const int MaxLevels = 15;

    /// <summary>Largest edit distance a levenshtein / damerau_levenshtein level may allow.</summary>
    internal const int MaxEditDistance = 10;

    private static void ValidateRules(IReadOnlyList<IReadOnlyList<string>> rules, string path)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            Require(rules[i].Count > 0, $"{path}[{i}]", "a rule is a non-empty list of column names.");
            for (var j = 0; j < rules[i].Count; j++)
            {
                Require(!string.IsNullOrWhiteSpace(rules[i][j]), $"{path}[{i}][{j}]", "must be a column name.");
            }
        }
    }

    private static void ValidateLevels(IReadOnlyList<LevelSettings> levels, string path)
    {
        Require(levels.Count >= 3, path, "need at least three levels: null, one or more comparison levels, else.");
        Require(levels.Count <= MaxLevels, path, $"at most {MaxLevels} levels are supported.");
        Require(levels[0].Type == ComparisonLevelTypes.Null, path + "[0].type", "the first level must be \"null\".");
        Require(levels[^1].Type == ComparisonLevelTypes.Else, $"{path}[{levels.Count - 1}].type", "the last level must be \"else\".");
        for (var i = 0; i < levels.Count; i++)
        {
            var l = levels[i];
            var p = $"{path}[{i}]";
            Require(ComparisonLevelTypes.All.Contains(l.Type), p + ".type", $"unknown level type '{l.Type}'; allowed: {string.Join(", ", ComparisonLevelTypes.All)}.");
            if (i > 0 && i < levels.Count - 1)
            {
                Require(l.Type is not (ComparisonLevelTypes.Null or ComparisonLevelTypes.Else), p + ".type", "\"null\" comes first and \"else\" last, once each.");
            }

            switch (l.Type)
            {
                case ComparisonLevelTypes.JaroWinkler or ComparisonLevelTypes.Jaro:
                    RequireSimilarity(l.Threshold, p + ".threshold");
                    break;
                case ComparisonLevelTypes.Levenshtein or ComparisonLevelTypes.DamerauLevenshtein:
                    Require(l.MaxDistance is >= 1 and <= MaxEditDistance, p + ".max_distance", $"required: an edit distance between 1 and {MaxEditDistance}.");
                    break;
                case ComparisonLevelTypes.DateWithin:
                    Require(l.Days is >= 1, p + ".days", "required: a positive number of days, e.g. 365.");
                    break;
                case ComparisonLevelTypes.AbsDifference:
                    Require(l.MaxDifference is >= 0 and < double.PositiveInfinity, p + ".max_difference", "required: a non-negative number, e.g. 1 (numeric values whose absolute difference is at most this).");
                    break;
                case ComparisonLevelTypes.Swapped:
                    Require(!string.IsNullOrWhiteSpace(l.OtherColumn), p + ".other_column", "required: the column swapped with (e.g. surname).");
                    break;
            }

            // A bound a level type does not read would be ignored without a word (a threshold on an exact level).
            foreach (var (set, option, types) in new (bool, string, string[])[]
            {
                (l.Threshold is not null, "threshold", [ComparisonLevelTypes.JaroWinkler, ComparisonLevelTypes.Jaro]),
                (l.MaxDistance is not null, "max_distance", [ComparisonLevelTypes.Levenshtein, ComparisonLevelTypes.DamerauLevenshtein]),
                (l.Days is not null, "days", [ComparisonLevelTypes.DateWithin]),
                (l.MaxDifference is not null, "max_difference", [ComparisonLevelTypes.AbsDifference]),
                (l.OtherColumn is not null, "other_column", [ComparisonLevelTypes.Swapped]),
            })
            {
                Require(!set || types.Contains(l.Type), $"{p}.{option}", $"only {string.Join(", ", types)} levels take it, not \"{l.Type}\".");
            }

            if (l.TfAdjustment)
            {
                Require(ComparisonLevelTypes.TfAdjustable.Contains(l.Type), p + ".tf_adjustment", $"term-frequency adjustment is allowed on these levels only: {string.Join(", ", ComparisonLevelTypes.TfAdjustable)}.");
                Require(l.Type == ComparisonLevelTypes.Exact || levels.Any(x => x.Type == ComparisonLevelTypes.Exact), p + ".tf_adjustment", "a term-frequency adjustment on a similarity level needs an \"exact\" level in the same comparison (its u is the reference).");
            }
        }
    }

    private static void Require(bool ok, string path, string message)
    {
        if (!ok)
        {
            throw new SettingsException(path, message);
        }
    }

    /// <summary>Carries an allowed-values message out of a converter.</summary>
    private sealed class SettingsValueException(string message) : Exception(message);

    private sealed class SnakeEnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private static readonly Dictionary<string, T> ByName = Enum.GetValues<T>().ToDictionary(ToSnake, v => v, StringComparer.Ordinal);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var allowed = string.Join(", ", ByName.Keys);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("expected a string", new SettingsValueException($"expected a string; allowed: {allowed}."));
            }

            var text = reader.GetString() ?? "";
            if (ByName.TryGetValue(text, out var v))
            {
                return v;
            }

            throw new JsonException("bad value", new SettingsValueException($"'{text}' is not allowed; allowed: {allowed}."));
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(ToSnake(value));

        private static string ToSnake(T value)
        {
            var name = value.ToString();
            var sb = new System.Text.StringBuilder();
            for (var i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]) && i > 0)
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLower(name[i], CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }
    }
}
