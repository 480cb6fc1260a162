using System.Collections.Concurrent;
using System.Text;
using DataFirst.Core.Pipeline.Activities;
using DataFirst.Core.Profiles;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Pipeline;

/// <summary>The built-in dataset profiles, looked up by dataset name.</summary>
public static class PipelineProfiles
{
    private static readonly Lazy<ProfileCatalog> BuiltIn = new(ProfileCatalog.LoadBuiltIn);

    public static ProfileCatalog Catalog => BuiltIn.Value;

    public static DatasetProfile Get(string dataset, string blob) =>
        Catalog.TryGet(dataset, out var profile)
            ? profile
            : throw new ExtractRejectedException($"extract '{blob}': no dataset profile named '{dataset}'; known datasets: {string.Join(", ", Catalog.Names.Order(StringComparer.Ordinal))}. Name the file after its dataset (e.g. magistrates.csv).");
}

/// <summary>Linkage settings of a run: a settings blob, or the built-in justice settings.</summary>
public static class PipelineSettings
{
    public const string BuiltInResource = "DataFirst.Settings.justice.json";

    private static readonly ConcurrentDictionary<string, LinkageSettings> Cache = new(StringComparer.Ordinal);

    /// <summary>The built-in settings for linking the justice extracts (examples/justice.json).</summary>
    public static string BuiltInJson()
    {
        using var stream = typeof(PipelineSettings).Assembly.GetManifestResourceStream(BuiltInResource)
            ?? throw new InvalidOperationException($"Embedded resource {BuiltInResource} is missing from DataFirst.Core.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Loads (and caches per process) the settings of a run from its pinned copy.</summary>
    public static async Task<LinkageSettings> LoadAsync(PipelineServices services, string settingsBlob, CancellationToken cancellationToken)
    {
        if (Cache.TryGetValue(settingsBlob, out var cached))
        {
            return cached;
        }

        var json = Encoding.UTF8.GetString(await services.ReadBytesAsync(settingsBlob, cancellationToken).ConfigureAwait(false));
        var settings = LinkageSettings.Parse(json);
        Cache.TryAdd(settingsBlob, settings);
        return settings;
    }
}
