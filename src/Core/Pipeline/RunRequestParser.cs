using System.Text.Json;
using System.Text.RegularExpressions;

namespace DataFirst.Core.Pipeline;

/// <summary>
/// Parses and validates run requests (POST /api/runs bodies) and run manifests
/// (<c>extracts/{share}/_run.json</c>), naming the JSON path of anything wrong.
/// </summary>
public static partial class RunRequestParser
{
    public const string ExtractsContainer = "extracts";
    public const string ManifestName = "_run.json";

    private static readonly HashSet<string> RequestProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        "share", "version", "extracts", "settings", "model", "shareSpec", "keyId", "partitions", "runDate", "seed", "keepWorking",
    };

    /// <summary>A run request: blob references are "container/name".</summary>
    public static LinkageRunRequest Parse(string json) => Parse(json, share: null);

    /// <summary>
    /// A run manifest uploaded as <c>extracts/{share}/_run.json</c>: the share comes from the blob
    /// name, and blob references without a container are relative to <c>extracts/{share}/</c>.
    /// Extracts may be listed as file names ("magistrates.csv": dataset = file name).
    /// </summary>
    public static LinkageRunRequest ParseManifest(string share, string json)
    {
        ValidateShare(share, "$.share");
        return Parse(json, share);
    }

    /// <summary>The share of a manifest blob name "{share}/_run.json", or null if it is not one.</summary>
    public static string? ShareOfManifest(string blobName)
    {
        var parts = blobName.Split('/');
        return parts.Length == 2 && parts[1] == ManifestName && ShareName().IsMatch(parts[0]) ? parts[0] : null;
    }

    private static LinkageRunRequest Parse(string json, string? share)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new RunRequestException($"$ (line {(ex.LineNumber ?? 0) + 1})", "not valid JSON: " + FirstSentence(ex.Message));
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RunRequestException("$", "must be a JSON object");
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!RequestProperties.Contains(property.Name))
            {
                throw new RunRequestException($"$.{property.Name}", $"unknown property; allowed: {string.Join(", ", RequestProperties)}");
            }
        }

        var shareName = share ?? RequiredString(root, "share");
        ValidateShare(shareName, "$.share");
        var prefix = share is null ? null : $"{ExtractsContainer}/{share}/";
        var extracts = ParseExtracts(root, prefix);
        var partitions = OptionalInt(root, "partitions") ?? 8;
        if (partitions is < 1 or > 4096)
        {
            throw new RunRequestException("$.partitions", $"must be between 1 and 4096 (was {partitions})");
        }

        var version = OptionalString(root, "version");
        if (version is not null && !VersionName().IsMatch(version))
        {
            throw new RunRequestException("$.version", "must be 1-40 letters, digits, '.', '-' or '_'");
        }

        DateOnly? runDate = null;
        if (OptionalString(root, "runDate") is { } rd)
        {
            runDate = DateOnly.TryParseExact(rd, "yyyy-MM-dd", out var d) ? d : throw new RunRequestException("$.runDate", "must be a date yyyy-MM-dd");
        }

        return new LinkageRunRequest
        {
            Share = shareName,
            Version = version,
            Extracts = extracts,
            Settings = BlobRef(root, "settings", prefix),
            Model = BlobRef(root, "model", prefix),
            ShareSpec = BlobRef(root, "shareSpec", prefix),
            KeyId = OptionalString(root, "keyId"),
            Partitions = partitions,
            RunDate = runDate,
            Seed = OptionalInt(root, "seed") ?? 1,
            KeepWorking = OptionalBool(root, "keepWorking") ?? false,
        };
    }

    private static List<ExtractReference> ParseExtracts(JsonElement root, string? prefix)
    {
        if (!TryGet(root, "extracts", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            throw new RunRequestException("$.extracts", "required: a non-empty array of { \"dataset\": ..., \"blob\": ... } (or file names in a manifest)");
        }

        var result = new List<ExtractReference>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.extracts[{index++}]";
            string dataset;
            string blob;
            if (item.ValueKind == JsonValueKind.String && prefix is not null)
            {
                var file = item.GetString()!;
                dataset = Path.GetFileNameWithoutExtension(file);
                blob = Resolve(file, prefix, path);
            }
            else if (item.ValueKind == JsonValueKind.Object)
            {
                dataset = RequiredString(item, "dataset", path);
                blob = Resolve(RequiredString(item, "blob", path), prefix, $"{path}.blob");
            }
            else
            {
                throw new RunRequestException(path, "must be an object { \"dataset\": ..., \"blob\": ... }");
            }

            if (!DatasetName().IsMatch(dataset))
            {
                throw new RunRequestException($"{path}.dataset", "must be a dataset name: lower-case letters, digits and '_'");
            }

            if (result.Any(e => e.Dataset == dataset))
            {
                throw new RunRequestException($"{path}.dataset", $"dataset '{dataset}' is listed twice");
            }

            result.Add(new ExtractReference(dataset, blob));
        }

        return result;
    }

    private static string? BlobRef(JsonElement root, string name, string? prefix) =>
        OptionalString(root, name) is { } value ? Resolve(value, prefix, $"$.{name}") : null;

    private static string Resolve(string value, string? prefix, string path)
    {
        if (value.Length == 0 || value.StartsWith('/') || value.Contains("..", StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal))
        {
            throw new RunRequestException(path, "must be a blob reference 'container/name' (no leading '/', no '..')");
        }

        if (prefix is not null && !value.Contains('/', StringComparison.Ordinal))
        {
            return prefix + value;
        }

        if (!value.Contains('/', StringComparison.Ordinal))
        {
            throw new RunRequestException(path, "must be a blob reference 'container/name'");
        }

        return value;
    }

    private static void ValidateShare(string share, string path)
    {
        if (!ShareName().IsMatch(share))
        {
            throw new RunRequestException(path, "must be 1-63 lower-case letters, digits, '-' or '_'");
        }
    }

    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                return value.ValueKind != JsonValueKind.Null;
            }
        }

        value = default;
        return false;
    }

    private static string RequiredString(JsonElement obj, string name, string parent = "$") =>
        TryGet(obj, name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0
            ? v.GetString()!
            : throw new RunRequestException($"{parent}.{name}", "required: a non-empty string");

    private static string? OptionalString(JsonElement obj, string name) =>
        !TryGet(obj, name, out var v) ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw new RunRequestException($"$.{name}", "must be a string");

    private static int? OptionalInt(JsonElement obj, string name) =>
        !TryGet(obj, name, out var v) ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
        : throw new RunRequestException($"$.{name}", "must be a whole number");

    private static bool? OptionalBool(JsonElement obj, string name) =>
        !TryGet(obj, name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
        : throw new RunRequestException($"$.{name}", "must be true or false");

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex ShareName();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex DatasetName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
    private static partial Regex VersionName();
}
