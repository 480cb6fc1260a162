using System.Text;
using System.Text.Json;
using DataFirst.Core.Catalogue;
using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// De-identifies one dataset into its share file: only the variables the share spec grants,
/// identifiers never, system ids as keyed pseudonyms, the estimated person id, age at the event,
/// duplicates removed, formula-injection-safe cells; keeps per-variable statistics for the
/// catalogue and the dataset's disclosure-risk figures (internal), and the dataset's rows of the linking dataset.
/// </summary>
public sealed class WriteShareDatasetActivity(PipelineServices services)
{
    public const string Name = nameof(WriteShareDatasetActivity);

    public async Task<WriteShareDatasetResult> RunAsync(WriteShareDatasetInput input, CancellationToken cancellationToken)
    {
        var dataset = input.Extract.Dataset;
        var spec = await ShareSupport.LoadSpecAsync(services, input.Run, input.ShareSpecBlob, input.KeyId, [dataset], cancellationToken).ConfigureAwait(false);
        if (spec.FindDataset(dataset) is null)
        {
            return new WriteShareDatasetResult(dataset, null, 0, null); // minimisation: the project did not ask for it
        }

        var profile = ShareSupport.Profile(dataset);
        var lookup = await new PersonIdMappingStore(services.Blobs).LoadLookupAsync(input.Run.Share, input.Run.RunId, [dataset], null, shareStrings: false, cancellationToken).ConfigureAwait(false);
        var pseudonymiser = await ShareSupport.PseudonymiserAsync(services, spec, input.KeyFingerprint, cancellationToken).ConfigureAwait(false);
        var file = ShareSupport.Staged(input.Run, CatalogueBuilder.DatasetFileName(dataset));
        ShareDatasetResult? result = null;
        var personLevel = ShareRules.IsPersonLevel(profile);
        var risk = new DisclosureRiskCounter(profile, spec.DisclosureK); // counted as the rows are written

        // This dataset's rows of linking.csv, taken from the share file as it is written (its pseudonyms, computed once)
        // and uploaded beside it: the catalogue step puts the datasets' rows together.
        var linkingBlob = spec.IncludeLinkingDataset && personLevel ? PipelineServices.Working(input.Run, $"share-linking/{dataset}.csv") : null;
        await using var linkingText = linkingBlob is null ? null : services.StartText(linkingBlob, cancellationToken);
        var linking = linkingText is null ? null : LinkingDatasetWriter.RowsOf(profile.Name, linkingText.Writer);
        await using (var source = await services.OpenReadAsync(input.Extract.Blob, cancellationToken).ConfigureAwait(false))
        using (var reader = new StreamReader(source, Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            await ShareSupport.WriteTextAsync(services, file, async w => result = await ShareDatasetWriter.WriteAsync(profile, spec, reader, personLevel ? lookup : null, pseudonymiser, w, ShareRowSinks.Combine(risk, linking), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        if (linkingText is not null)
        {
            await linkingText.CompleteAsync().ConfigureAwait(false);
        }

        var stats = PipelineServices.Working(input.Run, $"share-stats/{dataset}.json");
        await services.WriteAsync(stats, s => JsonSerializer.SerializeAsync(s, new DatasetShareStats(result! with { RowsRejectedAtIngest = input.RejectedAtIngest }, risk.Result()), Workflow.WorkflowJson.Options, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new WriteShareDatasetResult(dataset, file, result!.RowsWritten, stats, linkingBlob, linking?.Rows ?? 0);
    }
}

/// <summary>Kept in the working folder for the catalogue step: statistics and disclosure figures, never values of identifiers.</summary>
public sealed record DatasetShareStats(ShareDatasetResult Result, DatasetDisclosureRisk Risk);
