using System.Text;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>What the share-writing activities share: the effective share spec, the person ids, staging names.</summary>
internal static class ShareSupport
{
    /// <summary>The share spec of a run: the spec blob when given, else every dataset of the run with
    /// every variable its profile allows (identifiers are never shareable).</summary>
    public static async Task<ShareSpec> LoadSpecAsync(PipelineServices services, RunContext run, string? specBlob, string keyId, IReadOnlyList<string> datasets, CancellationToken cancellationToken)
    {
        if (specBlob is not null)
        {
            var json = Encoding.UTF8.GetString(await services.ReadBytesAsync(specBlob, cancellationToken).ConfigureAwait(false));
            return ShareSpec.Parse(json, PipelineProfiles.Catalog);
        }

        var profiles = datasets.Select(d => PipelineProfiles.Catalog.Get(d)).ToList();
        return new ShareSpec
        {
            Share = run.Share,
            Version = run.Version,
            KeyId = keyId,
            Description = $"All shareable variables of {string.Join(", ", datasets)} (no share spec given).",
            Datasets = profiles.Select(p => new ShareDatasetSpec(p.Name, ShareRules.ShareableVariables(p))).ToList(),
            IncludeCaseLinks = datasets.Contains("magistrates") && datasets.Contains("crown_court"),
        };
    }

    /// <summary>The person ids of the records of <paramref name="datasets"/>, (dataset, row id) → internal person id,
    /// as the clustering step saved them.</summary>
    public static Task<Dictionary<RecordKey, string>> PersonIdsAsync(PipelineServices services, RunContext run, IReadOnlyCollection<string> datasets, CancellationToken cancellationToken) =>
        new PersonIdMappingStore(services.Blobs).LoadRunAsync(run.Share, run.RunId, datasets, cancellationToken);

    /// <summary>Every person id of the run, streamed in the saved order (dataset, then row id), never held in memory.</summary>
    public static IAsyncEnumerable<KeyValuePair<RecordKey, string>> AllPersonIds(PipelineServices services, RunContext run, CancellationToken cancellationToken) =>
        new PersonIdMappingStore(services.Blobs).ReadRunAsync(run.Share, run.RunId, cancellationToken);

    public static async Task<Pseudonymiser> PseudonymiserAsync(PipelineServices services, ShareSpec spec, CancellationToken cancellationToken) =>
        new(await services.Keys.GetKeyAsync(spec.KeyId, cancellationToken).ConfigureAwait(false));

    /// <summary>working/{run}/share/{file}: the share's files before publication.</summary>
    public static string Staged(RunContext run, string file) => PipelineServices.Working(run, $"share/{file}");

    public static DatasetProfile Profile(string dataset) => PipelineProfiles.Catalog.Get(dataset);

    /// <summary>Writes text through a UTF-8 (no BOM) writer into a blob.</summary>
    public static Task WriteTextAsync(PipelineServices services, string blob, Func<TextWriter, Task> write, CancellationToken cancellationToken) =>
        services.WriteAsync(blob, async s =>
        {
            await using var writer = new StreamWriter(s, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            await write(writer).ConfigureAwait(false);
        }, cancellationToken);
}
