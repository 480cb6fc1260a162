using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataFirst.Core.Profiles;

/// <summary>
/// The dataset profiles known to a run: the built-in ones (profiles/*.json embedded in this
/// assembly) or those in a folder / file. Every profile is validated on load.
/// </summary>
public sealed class ProfileCatalog : IReadOnlyList<DatasetProfile>
{
    private const string ResourcePrefix = "DataFirst.Profiles.";

    private static readonly Lazy<ProfileCatalog> BuiltIn = new(LoadEmbedded);
    private readonly List<DatasetProfile> _profiles;
    private readonly Dictionary<string, DatasetProfile> _byName;

    public ProfileCatalog(IEnumerable<DatasetProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        _profiles = [.. profiles.OrderBy(p => p.Name, StringComparer.Ordinal)];
        _byName = new Dictionary<string, DatasetProfile>(StringComparer.OrdinalIgnoreCase);
        foreach (var profile in _profiles)
        {
            if (!_byName.TryAdd(profile.Name, profile))
            {
                throw new ProfileValidationException([new ProfileError(profile.Name, null, $"two profiles are named '{profile.Name}'; dataset names must be unique")]);
            }
        }
    }

    /// <summary>JSON options for reading and writing profiles: camelCase properties, no unknown properties.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public int Count => _profiles.Count;

    public DatasetProfile this[int index] => _profiles[index];

    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>The profile named <paramref name="name"/>; throws naming the known datasets if absent.</summary>
    public DatasetProfile Get(string name) =>
        TryGet(name, out var profile)
            ? profile
            : throw new KeyNotFoundException($"No dataset profile is named '{name}'. Known: {string.Join(", ", _profiles.Select(p => p.Name))}.");

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DatasetProfile? profile) =>
        _byName.TryGetValue(name, out profile);

    public IEnumerator<DatasetProfile> GetEnumerator() => _profiles.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The profiles shipped with DataFirst (embedded copies of the repository's profiles/*.json), loaded once.</summary>
    public static ProfileCatalog LoadBuiltIn() => BuiltIn.Value;

    private static ProfileCatalog LoadEmbedded()
    {
        var assembly = typeof(ProfileCatalog).Assembly;
        var sources = new List<(string File, string Json)>();
        foreach (var resource in assembly.GetManifestResourceNames()
                     .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                     .Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded profile resource '{resource}' cannot be opened.");
            using var reader = new StreamReader(stream);
            sources.Add(($"profiles/{resource[ResourcePrefix.Length..]}", reader.ReadToEnd()));
        }

        if (sources.Count == 0)
        {
            throw new InvalidOperationException($"{assembly.GetName().Name} carries no embedded profiles; rebuild it with profiles/*.json present.");
        }

        return FromSources(sources);
    }

    /// <summary>
    /// Loads one profile file, or every <c>*.json</c> in a folder (README and other files are ignored).
    /// </summary>
    public static ProfileCatalog Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string[] files;
        if (Directory.Exists(path))
        {
            files = [.. Directory.GetFiles(path, "*.json").Order(StringComparer.Ordinal)];
            if (files.Length == 0)
            {
                throw new ProfileValidationException([new ProfileError(path, null, "the folder holds no *.json profiles")]);
            }
        }
        else if (File.Exists(path))
        {
            files = [path];
        }
        else
        {
            throw new ProfileValidationException([new ProfileError(path, null, "no such file or folder")]);
        }

        return FromSources(files.Select(f => (f, File.ReadAllText(f))));
    }

    /// <summary>Parses and validates one profile's JSON; <paramref name="file"/> names it in errors.</summary>
    public static DatasetProfile Parse(string json, string file)
    {
        var errors = new List<ProfileError>();
        var profile = ParseOne(json, file, errors);
        if (profile is not null)
        {
            errors.AddRange(ProfileValidator.Validate(profile, file));
        }

        return errors.Count > 0 ? throw new ProfileValidationException(errors) : profile!;
    }

    private static ProfileCatalog FromSources(IEnumerable<(string File, string Json)> sources)
    {
        var errors = new List<ProfileError>();
        var loaded = new List<(string File, DatasetProfile Profile)>();
        foreach (var (file, json) in sources)
        {
            var profile = ParseOne(json, file, errors);
            if (profile is null)
            {
                continue;
            }

            errors.AddRange(ProfileValidator.Validate(profile, file));
            loaded.Add((file, profile));
        }

        foreach (var group in loaded.GroupBy(l => l.Profile.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add(new ProfileError(string.Join(", ", group.Select(g => g.File)), null, $"more than one profile is named '{group.Key}'"));
        }

        var names = loaded.ToDictionary(l => l.Profile.Name, l => l.Profile, StringComparer.OrdinalIgnoreCase);
        foreach (var (file, profile) in loaded)
        {
            errors.AddRange(ProfileValidator.ValidateReferences(profile, file, names));
        }

        return errors.Count > 0 ? throw new ProfileValidationException(errors) : new ProfileCatalog(loaded.Select(l => l.Profile));
    }

    private static DatasetProfile? ParseOne(string json, string file, List<ProfileError> errors)
    {
        // First pass over the raw document so that a column without a role / type / name is
        // reported by column rather than as one deserialiser message for the whole file.
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new ProfileError(file, "$", "a profile must be a JSON object"));
                return null;
            }

            if (TryGetProperty(document.RootElement, "columns", out var columns) && columns.ValueKind == JsonValueKind.Array)
            {
                var before = errors.Count;
                var index = 0;
                foreach (var column in columns.EnumerateArray())
                {
                    var label = TryGetProperty(column, "name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                    var where = $"$.columns[{index}]";
                    foreach (var required in new[] { "name", "type", "role", "description" })
                    {
                        if (!TryGetProperty(column, required, out var value) || value.ValueKind == JsonValueKind.Null)
                        {
                            errors.Add(new ProfileError(file, where, $"column {(label is null ? $"#{index}" : $"'{label}'")} has no '{required}'; add it (see profiles/README.md)"));
                        }
                    }

                    index++;
                }

                if (errors.Count > before)
                {
                    return null;
                }
            }
        }
        catch (JsonException ex)
        {
            errors.Add(new ProfileError(file, ex.Path, $"invalid JSON at line {ex.LineNumber + 1}: {ex.Message}"));
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DatasetProfile>(json, JsonOptions)
                ?? throw new JsonException("the document is null");
        }
        catch (JsonException ex)
        {
            var line = ex.LineNumber is { } l ? $" (line {l + 1})" : string.Empty;
            errors.Add(new ProfileError(file, ex.Path, $"cannot read the profile{line}: {ex.Message}"));
            return null;
        }
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = property.Value;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }
}

/// <summary>One problem in a profile: the file, where in it (JSON path or column), and what to do.</summary>
public sealed record ProfileError(string File, string? Location, string Message)
{
    public override string ToString() => Location is null ? $"{File}: {Message}" : $"{File} {Location}: {Message}";
}

/// <summary>A profile file that cannot be used; <see cref="Errors"/> lists every problem found.</summary>
public sealed class ProfileValidationException : Exception
{
    public ProfileValidationException(IReadOnlyList<ProfileError> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    public ProfileValidationException()
        : this([])
    {
    }

    public ProfileValidationException(string message)
        : base(message)
    {
        Errors = [];
    }

    public ProfileValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<ProfileError> Errors { get; }

    private static string BuildMessage(IReadOnlyList<ProfileError> errors) =>
        errors.Count switch
        {
            0 => "Invalid dataset profile.",
            1 => $"Invalid dataset profile: {errors[0]}",
            _ => $"{errors.Count} problems in dataset profiles: " + string.Join("; ", errors.Take(10)) + (errors.Count > 10 ? "; …" : string.Empty),
        };
}
