using System.Text;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Profiles;
using DataFirst.Core.Storage;

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

        return DefaultSpec(run.Share, run.Version, keyId, datasets);
    }

    /// <summary>The share of a run without a share spec: every dataset of the run with every variable its profile allows,
    /// and the case links when both courts are in the run.</summary>
    public static ShareSpec DefaultSpec(string share, string version, string keyId, IReadOnlyList<string> datasets)
    {
        var profiles = datasets.Select(d => PipelineProfiles.Catalog.Get(d)).ToList();
        return new ShareSpec
        {
            Share = share,
            Version = version,
            KeyId = keyId,
            Description = $"All shareable variables of {string.Join(", ", datasets)} (no share spec given).",
            Datasets = profiles.Select(p => new ShareDatasetSpec(p.Name, ShareRules.ShareableVariables(p))).ToList(),
            IncludeCaseLinks = datasets.Contains("magistrates") && datasets.Contains("crown_court"),
        };
    }

    /// <summary>
    /// The columns of <paramref name="dataset"/>'s extract that writing the share reads, which ingest checks the header
    /// for: the source columns of the variables <paramref name="spec"/> gives the dataset (none when it leaves the dataset
    /// out) and, when the share has case links and the run has both courts, the columns case linking cannot do without.
    /// </summary>
    public static IReadOnlyList<string> ColumnsNeeded(ShareSpec spec, string dataset, IReadOnlyCollection<string> runDatasets)
    {
        var profile = Profile(dataset);
        var columns = spec.FindDataset(dataset) is { } shared ? ShareRules.SourceColumns(profile, shared.Variables).ToList() : [];
        var caseLinking = new CaseLinking.CaseLinkingOptions();
        if (spec.IncludeCaseLinks && runDatasets.Contains(caseLinking.MagistratesDataset) && runDatasets.Contains(caseLinking.CrownCourtDataset))
        {
            columns.AddRange(caseLinking.RequiredColumns(dataset).Where(c => !columns.Contains(c, StringComparer.OrdinalIgnoreCase)));
        }

        return columns;
    }

    /// <summary>The share's pseudonymiser; with <paramref name="expectedFingerprint"/> (the run's, from its start), refuses
    /// a key that is not the one the run started with.</summary>
    public static async Task<Pseudonymiser> PseudonymiserAsync(PipelineServices services, ShareSpec spec, string? expectedFingerprint, CancellationToken cancellationToken)
    {
        var key = await services.Keys.GetKeyAsync(spec.KeyId, cancellationToken).ConfigureAwait(false);
        if (expectedFingerprint is not null && !string.Equals(key.Fingerprint(), expectedFingerprint, StringComparison.Ordinal))
        {
            throw new Deidentification.DeidentificationException(
                $"The pseudonymisation key '{spec.KeyId}' is not the key this run started with: the share files already written use that key, so pseudonyms made with this one would not line up with them. Restore the key the run started with and resume the run, or start a new run.");
        }

        return new Pseudonymiser(key);
    }

    /// <summary>working/{run}/share/{file}: the share's files before publication.</summary>
    public static string Staged(RunContext run, string file) => PipelineServices.Working(run, $"share/{file}");

    public static DatasetProfile Profile(string dataset) => PipelineProfiles.Catalog.Get(dataset);

    /// <summary>Writes text through a UTF-8 (no BOM) writer into a blob.</summary>
    public static Task WriteTextAsync(PipelineServices services, string blob, Func<TextWriter, Task> write, CancellationToken cancellationToken) =>
        services.WriteAsync(blob, async s =>
        {
            await using var writer = BlobText.Writer(s);
            await write(writer).ConfigureAwait(false);
        }, cancellationToken);
}
