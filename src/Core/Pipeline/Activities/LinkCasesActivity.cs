using System.Text;
using DataFirst.Core.CaseLinking;
using DataFirst.Core.Deidentification;

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

        var lookup = new PersonIdLookup(await ShareSupport.PersonIdsAsync(services, input.Run, [magistrates.Dataset, crown.Dataset], cancellationToken).ConfigureAwait(false));
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
}
