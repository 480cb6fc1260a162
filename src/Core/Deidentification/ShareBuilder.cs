using System.Text;
using DataFirst.Core.CaseLinking;
using DataFirst.Core.Catalogue;
using DataFirst.Core.Profiles;
using DataFirst.Core.Storage;

namespace DataFirst.Core.Deidentification;

/// <summary>Where a share version's inputs are and where its files go before publication.</summary>
public sealed record ShareBuildInput
{
    public required ShareSpec Spec { get; init; }

    public required IReadOnlyList<DatasetProfile> Profiles { get; init; }

    public required string ExtractsContainer { get; init; }

    /// <summary>Dataset → blob name of its (ingested) extract CSV in <see cref="ExtractsContainer"/>.</summary>
    public required IReadOnlyDictionary<string, string> ExtractBlobs { get; init; }

    /// <summary>Internal container for the share files before publication and for the disclosure report.</summary>
    public string WorkingContainer { get; init; } = "working";

    /// <summary>E.g. "{runId}/share/"; share files are written as {prefix}{file}.</summary>
    public required string WorkingPrefix { get; init; }

    public LinkageSummary Linkage { get; init; } = new();

    public CaseLinkingOptions CaseLinking { get; init; } = new();

    public required DateTimeOffset CreatedUtc { get; init; }
}

public sealed record ShareBuildResult(
    IReadOnlyList<ShareFile> Files,
    IReadOnlyList<ShareDatasetResult> Datasets,
    long LinkingRows,
    CaseLinkResult? CaseLinks,
    IReadOnlyList<DatasetDisclosureRisk> DisclosureRisk,
    string DisclosureReportBlob);

/// <summary>
/// The whole de-identification step for one share version over blobs, built from the public pieces
/// (each of which an activity can also call on its own): per dataset <see cref="ShareDatasetWriter"/>
/// with <see cref="DisclosureRiskCounter"/> and <see cref="LinkingDatasetWriter"/>'s rows, then
/// <see cref="CaseLinker"/> + <see cref="CaseLinkTableWriter"/>, and <see cref="CatalogueBuilder"/>.
/// Files go to the working container; publish them with <see cref="SharePublisher"/>.
/// Streams every file; memory is the person id mapping plus per-dataset row id sets.
/// </summary>
public sealed class ShareBuilder(IBlobStore store, IPseudonymKeyProvider keys)
{
    private static readonly UTF8Encoding Utf8 = new(false);

    public async Task<ShareBuildResult> BuildAsync(ShareBuildInput input, IReadOnlyDictionary<RecordKey, string> personMapping, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(personMapping);
        var spec = input.Spec;
        var key = await keys.GetKeyAsync(spec.KeyId, cancellationToken).ConfigureAwait(false);
        var pseudonymiser = new Pseudonymiser(key);
        var lookup = new PersonIdLookup(personMapping);
        await store.CreateContainerIfNotExistsAsync(input.WorkingContainer, cancellationToken).ConfigureAwait(false);

        var files = new List<ShareFile>();
        var results = new List<ShareDatasetResult>();
        var risks = new List<DatasetDisclosureRisk>();

        // linking.csv is spooled as the person-level datasets are written: their rows carry the pseudonyms it needs.
        await using var linkingText = spec.IncludeLinkingDataset ? new SpooledText("the share's linking.csv") : null;
        linkingText?.Writer.Write(LinkingDatasetWriter.HeaderLine);
        long linkingRows = 0;
        foreach (var ds in spec.Datasets)
        {
            var profile = input.Profiles.First(p => p.Name == ds.Dataset);
            var extract = input.ExtractBlobs.TryGetValue(ds.Dataset, out var blob)
                ? blob
                : throw new DeidentificationException($"No extract for dataset '{ds.Dataset}' of share '{spec.Share}'; the run's extracts must include every dataset in the share spec.");
            var fileName = CatalogueBuilder.DatasetFileName(ds.Dataset);
            ShareDatasetResult? result = null;
            var risk = new DisclosureRiskCounter(profile, spec.DisclosureK);
            var linking = linkingText is not null && ShareRules.IsPersonLevel(profile) ? LinkingDatasetWriter.RowsOf(profile.Name, linkingText.Writer) : null;
            await WriteAsync(input, fileName, async writer =>
            {
                await using var source = await store.OpenReadAsync(input.ExtractsContainer, extract, cancellationToken).ConfigureAwait(false);
                using var reader = new StreamReader(source, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
                result = await ShareDatasetWriter.WriteAsync(profile, spec, reader, lookup, pseudonymiser, writer, ShareRowSinks.Combine(risk, linking), cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            linkingRows += linking?.Rows ?? 0;
            results.Add(result!);
            files.Add(ShareFile.FromBlob(store, input.WorkingContainer, input.WorkingPrefix + fileName, fileName, ShareFile.ContentTypeFor(fileName)));
            risks.Add(risk.Result());
        }

        var tables = new List<ShareTableSummary>();
        if (linkingText is not null)
        {
            var table = CatalogueBuilder.LinkingTable(linkingRows);
            await linkingText.UploadAsync(store, input.WorkingContainer, input.WorkingPrefix + table.File, new BlobUploadOptions { ContentType = ShareFile.ContentTypeFor(table.File) }, cancellationToken).ConfigureAwait(false);
            tables.Add(table);
            files.Add(ShareFile.FromBlob(store, input.WorkingContainer, input.WorkingPrefix + table.File, table.File, ShareFile.ContentTypeFor(table.File)));
        }

        CaseLinkResult? caseLinks = null;
        if (spec.IncludeCaseLinks)
        {
            var options = input.CaseLinking;
            var magProfile = input.Profiles.First(p => p.Name == options.MagistratesDataset);
            var crownProfile = input.Profiles.First(p => p.Name == options.CrownCourtDataset);
            await using (var mag = await store.OpenReadAsync(input.ExtractsContainer, input.ExtractBlobs[options.MagistratesDataset], cancellationToken).ConfigureAwait(false))
            await using (var crown = await store.OpenReadAsync(input.ExtractsContainer, input.ExtractBlobs[options.CrownCourtDataset], cancellationToken).ConfigureAwait(false))
            using (var magReader = new StreamReader(mag, Encoding.UTF8))
            using (var crownReader = new StreamReader(crown, Encoding.UTF8))
            {
                caseLinks = await CaseLinker.LinkAsync(magReader, crownReader, lookup, options, cancellationToken).ConfigureAwait(false);
            }

            var table = CatalogueBuilder.CaseLinkTable(caseLinks.Links.Count, options);
            await WriteAsync(input, table.File, writer => CaseLinkTableWriter.WriteAsync(caseLinks.Links, spec, magProfile, crownProfile, pseudonymiser, writer, options, cancellationToken), cancellationToken).ConfigureAwait(false);
            tables.Add(table);
            files.Add(ShareFile.FromBlob(store, input.WorkingContainer, input.WorkingPrefix + table.File, table.File, ShareFile.ContentTypeFor(table.File)));
        }

        var catalogueInput = new CatalogueInput(spec, input.Profiles, results, input.Linkage, tables, input.CreatedUtc);
        files.Add(await WriteBytesAsync(input, CatalogueBuilder.CatalogueFileName, CatalogueBuilder.BuildCatalogue(catalogueInput), cancellationToken).ConfigureAwait(false));
        files.Add(await WriteBytesAsync(input, CatalogueBuilder.DataPackageFileName, CatalogueBuilder.BuildDataPackage(catalogueInput), cancellationToken).ConfigureAwait(false));
        files.Add(await WriteBytesAsync(input, CatalogueBuilder.ReadmeFileName, Utf8.GetBytes(CatalogueBuilder.BuildReadme(catalogueInput)), cancellationToken).ConfigureAwait(false));

        // Internal only: next to the share files' working copies, never in the file list.
        var riskBlob = input.WorkingPrefix + "internal/" + DisclosureRiskReport.FileName;
        await store.UploadBytesAsync(input.WorkingContainer, riskBlob, DisclosureRiskReport.ToJson(spec.Share, spec.Version, risks), new BlobUploadOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);

        return new ShareBuildResult(files, results, linkingRows, caseLinks, risks, riskBlob);
    }

    private async Task WriteAsync(ShareBuildInput input, string fileName, Func<TextWriter, Task> write, CancellationToken cancellationToken)
    {
        await using var text = new SpooledText($"the share file {fileName}");
        await write(text.Writer).ConfigureAwait(false);
        await text.UploadAsync(store, input.WorkingContainer, input.WorkingPrefix + fileName, new BlobUploadOptions { ContentType = ShareFile.ContentTypeFor(fileName) }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ShareFile> WriteBytesAsync(ShareBuildInput input, string fileName, byte[] bytes, CancellationToken cancellationToken)
    {
        await store.UploadBytesAsync(input.WorkingContainer, input.WorkingPrefix + fileName, bytes, new BlobUploadOptions { ContentType = ShareFile.ContentTypeFor(fileName) }, cancellationToken).ConfigureAwait(false);
        return ShareFile.FromBlob(store, input.WorkingContainer, input.WorkingPrefix + fileName, fileName, ShareFile.ContentTypeFor(fileName));
    }
}
