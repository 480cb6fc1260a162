using System.Text;
using DataFirst.Core.CaseLinking;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// Links each Crown Court case to the magistrates' case(s) it stems from, inside the person link
/// (same estimated person only; rules in docs/shares.md), and writes the share's pseudonymised
/// case_links.csv. Nothing to do when the run lacks either court or the share asks for no links.
/// </summary>
public sealed class LinkCasesActivity(PipelineServices services)
{
    public const string Name = nameof(LinkCasesActivity);

    public async Task<LinkCasesResult> RunAsync(LinkCasesInput input, CancellationToken cancellationToken)
    {
        var options = new CaseLinkingOptions();
        var magistrates = input.Extracts.FirstOrDefault(e => e.Dataset == options.MagistratesDataset);
        var crown = input.Extracts.FirstOrDefault(e => e.Dataset == options.CrownCourtDataset);
        var spec = await ShareSupport.LoadSpecAsync(services, input.Run, input.ShareSpecBlob, input.KeyId, input.Extracts.Select(e => e.Dataset).ToList(), cancellationToken).ConfigureAwait(false);
        if (magistrates is null || crown is null || !spec.IncludeCaseLinks)
        {
            return new LinkCasesResult(null, 0, 0, 0);
        }

        // Person ids only of the rows the linker reads: from ingest's projections, every Crown Court case but only the
        // magistrates' cases with a route to the Crown Court, so most of the magistrates' mapping is passed over.
        var rows = new Dictionary<string, IdRepeatCheck>(StringComparer.Ordinal)
        {
            [magistrates.Dataset] = await RowIdsAsync(magistrates.Blob, options.RowIdColumn, cancellationToken).ConfigureAwait(false),
            [crown.Dataset] = await RowIdsAsync(crown.Blob, options.RowIdColumn, cancellationToken).ConfigureAwait(false),
        };
        var lookup = await new PersonIdMappingStore(services.Blobs).LoadLookupAsync(input.Run.Share, input.Run.RunId, rows.Keys, rows, shareStrings: true, cancellationToken).ConfigureAwait(false);
        rows.Clear(); // the lookup holds what it needs
        CaseLinkResult result;
        await using (var mag = await services.OpenReadAsync(magistrates.Blob, cancellationToken).ConfigureAwait(false))
        await using (var cc = await services.OpenReadAsync(crown.Blob, cancellationToken).ConfigureAwait(false))
        using (var magReader = new StreamReader(mag, Encoding.UTF8))
        using (var crownReader = new StreamReader(cc, Encoding.UTF8))
        {
            result = await CaseLinker.LinkAsync(magReader, crownReader, lookup, options, cancellationToken).ConfigureAwait(false);
        }

        var pseudonymiser = await ShareSupport.PseudonymiserAsync(services, spec, input.KeyFingerprint, cancellationToken).ConfigureAwait(false);
        var table = ShareSupport.Staged(input.Run, Catalogue.CatalogueBuilder.CaseLinkTable(0, options).File);
        await ShareSupport.WriteTextAsync(services, table, w => CaseLinkTableWriter.WriteAsync(result.Links, spec, ShareSupport.Profile(magistrates.Dataset), ShareSupport.Profile(crown.Dataset), pseudonymiser, w, options, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new LinkCasesResult(table, result.Links.Count, result.CrownCases, result.CrownCasesLinked);
    }

    /// <summary>The row ids of an extract, each once (trimmed, as the linker looks them up); none when it lacks the column, which
    /// the linker then reports (an empty file fails here as it would there).</summary>
    private async Task<IdRepeatCheck> RowIdsAsync(string blob, string column, CancellationToken cancellationToken)
    {
        var ids = new IdRepeatCheck(); // as bytes: a national magistrates' projection has hundreds of thousands
        await using var stream = await services.OpenReadAsync(blob, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var csv = new CsvReader(reader, blob);
        if ((await csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false)).IndexOf(column) is not { } index)
        {
            return ids;
        }

        while (await csv.ReadRowInPlaceAsync(cancellationToken).ConfigureAwait(false) is { } row)
        {
            if (index < row.Count)
            {
                ids.Add(row.Span(index).Trim()); // a repeat is dropped
            }
        }

        return ids;
    }
}
