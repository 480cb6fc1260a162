using System.Text.Json;
using System.Text.RegularExpressions;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// What one research project receives (docs/shares.md, examples/share-spec.json): the share name
/// and version (the blob path srs-transfer/{share}/{version}/), the id of its pseudonym key, and
/// per dataset the variables it is approved for (data minimisation). Immutable; built by <see cref="Parse"/>.
/// </summary>
public sealed partial record ShareSpec
{
    public const int DefaultDisclosureK = 10;

    public required string Share { get; init; }

    public required string Version { get; init; }

    /// <summary>Names the per-share secret key (configuration / Key Vault); never the key itself.</summary>
    public required string KeyId { get; init; }

    public string? Description { get; init; }

    public required IReadOnlyList<ShareDatasetSpec> Datasets { get; init; }

    /// <summary>Write linking.csv: every record of every shared dataset with its person id.</summary>
    public bool IncludeLinkingDataset { get; init; } = true;

    /// <summary>Write case_links.csv (needs magistrates and crown_court in the share).</summary>
    public bool IncludeCaseLinks { get; init; } = true;

    /// <summary>
    /// Pseudonym namespaces for system-id columns, keyed "dataset.column". Columns in one namespace
    /// get equal pseudonyms for equal values (so family_events.case_id joins family_cases.case_id).
    /// Default: the row id column is "{dataset}.{column}", any other system id is its column name.
    /// </summary>
    public IReadOnlyDictionary<string, string> IdDomains { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The k of the internal disclosure-risk report.</summary>
    public int DisclosureK { get; init; } = DefaultDisclosureK;

    public ShareDatasetSpec? FindDataset(string dataset) =>
        Datasets.FirstOrDefault(d => string.Equals(d.Dataset, dataset, StringComparison.OrdinalIgnoreCase));

    /// <summary>The pseudonym namespace of a system-id column (see <see cref="IdDomains"/>).</summary>
    public string IdDomainFor(DatasetProfile profile, string column)
    {
        if (IdDomains.TryGetValue($"{profile.Name}.{column}", out var domain))
        {
            return domain;
        }

        return string.Equals(column, profile.UniqueIdColumn, StringComparison.OrdinalIgnoreCase)
            ? $"{profile.Name}.{column}".ToLowerInvariant()
            : column.ToLowerInvariant();
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex KeyIdPattern();

    /// <summary>
    /// Parses and validates a share spec against the dataset profiles. Every problem is collected
    /// and reported together in a <see cref="ShareSpecException"/>, each naming its JSON path.
    /// </summary>
    public static ShareSpec Parse(string json, IReadOnlyList<DatasetProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(profiles);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            var problem = $"the share spec is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}); fix the syntax";
            throw new ShareSpecException("Share spec is not valid: " + problem + ".", [problem]);
        }

        using (doc)
        {
            var problems = new List<string>();
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problems.Add("$: expected a JSON object");
                throw Fail(problems);
            }

            var known = new HashSet<string>(StringComparer.Ordinal)
            {
                "$schema", "share", "version", "keyId", "description", "datasets", "outputs", "idDomains", "disclosure",
            };
            foreach (var p in root.EnumerateObject().Where(p => !known.Contains(p.Name)))
            {
                problems.Add($"$.{p.Name}: unknown property; expected one of {string.Join(", ", known.Where(k => k != "$schema"))}");
            }

            var share = RequiredString(root, "share", problems);
            if (share is not null && !NamePattern().IsMatch(share))
            {
                problems.Add("$.share: must be 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit (it is a blob path segment)");
            }

            var version = RequiredString(root, "version", problems);
            if (version is not null && !NamePattern().IsMatch(version))
            {
                problems.Add("$.version: must be 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit (it is a blob path segment)");
            }

            var keyId = RequiredString(root, "keyId", problems);
            if (keyId is not null && !KeyIdPattern().IsMatch(keyId))
            {
                problems.Add("$.keyId: must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-' (it names a secret, it is not the secret)");
            }

            var description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            var datasets = ParseDatasets(root, profiles, problems);

            var includeLinking = true;
            var includeCaseLinks = true;
            if (root.TryGetProperty("outputs", out var outputs))
            {
                if (outputs.ValueKind != JsonValueKind.Object)
                {
                    problems.Add("$.outputs: expected an object like { \"linkingDataset\": true, \"caseLinks\": true }");
                }
                else
                {
                    foreach (var p in outputs.EnumerateObject())
                    {
                        if (p.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                        {
                            problems.Add($"$.outputs.{p.Name}: expected true or false");
                            continue;
                        }

                        switch (p.Name)
                        {
                            case "linkingDataset": includeLinking = p.Value.GetBoolean(); break;
                            case "caseLinks": includeCaseLinks = p.Value.GetBoolean(); break;
                            default: problems.Add($"$.outputs.{p.Name}: unknown output; expected linkingDataset or caseLinks"); break;
                        }
                    }
                }
            }

            if (includeCaseLinks && datasets is not null
                && (!datasets.Any(x => x.Dataset == "magistrates") || !datasets.Any(x => x.Dataset == "crown_court")))
            {
                problems.Add("$.outputs.caseLinks: the case link table needs both 'magistrates' and 'crown_court' in $.datasets; add them or set caseLinks to false");
            }

            var idDomains = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (root.TryGetProperty("idDomains", out var domains))
            {
                ParseIdDomains(domains, profiles, idDomains, problems);
            }

            var k = DefaultDisclosureK;
            if (root.TryGetProperty("disclosure", out var disclosure))
            {
                if (disclosure.ValueKind == JsonValueKind.Object && disclosure.TryGetProperty("k", out var kEl))
                {
                    if (kEl.ValueKind != JsonValueKind.Number || !kEl.TryGetInt32(out k) || k < 2)
                    {
                        problems.Add("$.disclosure.k: expected a whole number of at least 2");
                    }
                }
                else if (disclosure.ValueKind != JsonValueKind.Object)
                {
                    problems.Add("$.disclosure: expected an object like { \"k\": 10 }");
                }
            }

            if (problems.Count > 0)
            {
                throw Fail(problems);
            }

            return new ShareSpec
            {
                Share = share!,
                Version = version!,
                KeyId = keyId!,
                Description = description,
                Datasets = datasets!,
                IncludeLinkingDataset = includeLinking,
                IncludeCaseLinks = includeCaseLinks,
                IdDomains = idDomains,
                DisclosureK = k,
            };
        }
    }

    private static ShareSpecException Fail(List<string> problems) =>
        new("Share spec is not valid: " + string.Join("; ", problems) + ".", problems);

    private static string? RequiredString(JsonElement root, string name, List<string> problems)
    {
        if (!root.TryGetProperty(name, out var el))
        {
            problems.Add($"$.{name}: required");
            return null;
        }

        if (el.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(el.GetString()))
        {
            problems.Add($"$.{name}: expected a non-empty string");
            return null;
        }

        return el.GetString();
    }

    private static List<ShareDatasetSpec>? ParseDatasets(JsonElement root, IReadOnlyList<DatasetProfile> profiles, List<string> problems)
    {
        if (!root.TryGetProperty("datasets", out var datasets) || datasets.ValueKind != JsonValueKind.Object)
        {
            problems.Add("$.datasets: required, an object of dataset name → { \"variables\": [ ... ] }");
            return null;
        }

        var result = new List<ShareDatasetSpec>();
        foreach (var ds in datasets.EnumerateObject())
        {
            var path = $"$.datasets.{ds.Name}";
            var profile = profiles.FirstOrDefault(p => string.Equals(p.Name, ds.Name, StringComparison.OrdinalIgnoreCase));
            if (profile is null)
            {
                problems.Add($"{path}: unknown dataset '{ds.Name}'; known datasets: {string.Join(", ", profiles.Select(p => p.Name))}");
                continue;
            }

            if (ds.Value.ValueKind != JsonValueKind.Object || !ds.Value.TryGetProperty("variables", out var vars))
            {
                problems.Add($"{path}.variables: required, a list of variable names or \"*\" for every shareable variable");
                continue;
            }

            var shareable = ShareRules.ShareableVariables(profile);
            var chosen = new List<string>();
            if (vars.ValueKind == JsonValueKind.String && vars.GetString() == "*")
            {
                chosen.AddRange(shareable);
            }
            else if (vars.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var v in vars.EnumerateArray())
                {
                    var vpath = $"{path}.variables[{i++}]";
                    if (v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
                    {
                        problems.Add($"{vpath}: expected a variable name");
                        continue;
                    }

                    var name = v.GetString()!;
                    if (string.Equals(name, ShareRules.AgeAtEventVariable, StringComparison.OrdinalIgnoreCase))
                    {
                        if (!ShareRules.CanDeriveAge(profile))
                        {
                            problems.Add($"{vpath}: '{ShareRules.AgeAtEventVariable}' cannot be derived for '{profile.Name}' (it needs a date_of_birth column and an event date column in the profile)");
                        }
                        else if (!chosen.Contains(ShareRules.AgeAtEventVariable))
                        {
                            chosen.Add(ShareRules.AgeAtEventVariable);
                        }

                        continue;
                    }

                    var column = profile.FindColumn(name);
                    if (column is null)
                    {
                        problems.Add($"{vpath}: unknown variable '{name}' in dataset '{profile.Name}'; shareable variables: {string.Join(", ", shareable)}");
                    }
                    else if (ShareRules.IsNeverShared(column))
                    {
                        problems.Add($"{vpath}: '{column.Name}' is a personal identifier ({column.IdentifierKind ?? "direct identifier"}) and is never written to a share; remove it (age is available as '{ShareRules.AgeAtEventVariable}')");
                    }
                    else if (chosen.Contains(column.Name, StringComparer.OrdinalIgnoreCase))
                    {
                        problems.Add($"{vpath}: '{column.Name}' is listed twice");
                    }
                    else
                    {
                        chosen.Add(column.Name);
                    }
                }
            }
            else
            {
                problems.Add($"{path}.variables: expected a list of variable names or \"*\"");
                continue;
            }

            result.Add(new ShareDatasetSpec(profile.Name, chosen));
        }

        if (result.Count == 0 && !problems.Any(p => p.StartsWith("$.datasets", StringComparison.Ordinal)))
        {
            problems.Add("$.datasets: at least one dataset is required");
        }

        return result;
    }

    private static void ParseIdDomains(JsonElement domains, IReadOnlyList<DatasetProfile> profiles, Dictionary<string, string> into, List<string> problems)
    {
        if (domains.ValueKind != JsonValueKind.Object)
        {
            problems.Add("$.idDomains: expected an object of \"dataset.column\" → domain name");
            return;
        }

        foreach (var p in domains.EnumerateObject())
        {
            var path = $"$.idDomains['{p.Name}']";
            var parts = p.Name.Split('.', 2);
            var profile = parts.Length == 2 ? profiles.FirstOrDefault(x => string.Equals(x.Name, parts[0], StringComparison.OrdinalIgnoreCase)) : null;
            var column = profile?.FindColumn(parts[1]);
            if (profile is null)
            {
                problems.Add($"{path}: expected \"dataset.column\" naming a known dataset; known datasets: {string.Join(", ", profiles.Select(x => x.Name))}");
            }
            else if (column is null)
            {
                problems.Add($"{path}: unknown column '{parts[1]}' in dataset '{profile.Name}'");
            }
            else if (column.Role != ColumnRole.SystemId)
            {
                problems.Add($"{path}: '{column.Name}' is not a SystemId column; only system ids are pseudonymised");
            }
            else if (p.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(p.Value.GetString()))
            {
                problems.Add($"{path}: expected a domain name");
            }
            else
            {
                into[$"{profile.Name}.{column.Name}"] = p.Value.GetString()!;
            }
        }
    }
}

/// <summary>One dataset of a share and the variables (profile column names, or age_at_event) it receives.</summary>
public sealed record ShareDatasetSpec(string Dataset, IReadOnlyList<string> Variables);
