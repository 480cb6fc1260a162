using System.Globalization;
using System.Text;
using System.Text.Json;
using DataFirst.Core.Catalogue;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Training;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// The rest of the share: the linking dataset (every record of the run with its person id),
/// catalogue.json, datapackage.json and the researchers' README; plus the internal
/// disclosure-risk report, which is never part of the share.
/// </summary>
public sealed class WriteCatalogueActivity(PipelineServices services)
{
    public const string Name = nameof(WriteCatalogueActivity);

    public async Task<WriteCatalogueResult> RunAsync(WriteCatalogueInput input, CancellationToken cancellationToken)
    {
        var datasets = input.Datasets.Select(d => d.Dataset).ToList();
        var spec = await ShareSupport.LoadSpecAsync(services, input.Run, input.ShareSpecBlob, input.KeyId, datasets, cancellationToken).ConfigureAwait(false);
        if (spec.IncludeLinkingDataset
            && input.Datasets.FirstOrDefault(d => d.FileBlob is not null && d.LinkingBlob is null && ShareRules.IsPersonLevel(ShareSupport.Profile(d.Dataset))) is { } without)
        {
            // E.g. a run resumed after an upgrade, whose share files were written before share writers wrote linking rows:
            // linking.csv would silently lack that dataset.
            throw new DeidentificationException($"The share file of '{without.Dataset}' was written without its rows of linking.csv (by an earlier version of the share writer); start the run again so that every share file is written by this version.");
        }

        var files = new List<ShareFileRef>();
        var results = new List<ShareDatasetResult>();
        var risks = new List<DatasetDisclosureRisk>();
        foreach (var written in input.Datasets.Where(d => d.FileBlob is not null))
        {
            await using var stream = await services.OpenReadAsync(written.StatsBlob!, cancellationToken).ConfigureAwait(false);
            var stats = (await JsonSerializer.DeserializeAsync<DatasetShareStats>(stream, Workflow.WorkflowJson.Options, cancellationToken).ConfigureAwait(false))!;
            results.Add(stats.Result);
            risks.Add(stats.Risk);
            files.Add(new ShareFileRef(CatalogueBuilder.DatasetFileName(written.Dataset), written.FileBlob!));
        }

        var tables = new List<ShareTableSummary>();
        if (spec.IncludeLinkingDataset)
        {
            // The share writers wrote each person-level dataset's rows; here they are put together, in dataset order.
            var table = CatalogueBuilder.LinkingTable(0);
            var blob = ShareSupport.Staged(input.Run, table.File);
            var parts = input.Datasets.Where(d => d.LinkingBlob is not null).ToList();
            await services.WriteAsync(blob, async s =>
            {
                await s.WriteAsync(Encoding.UTF8.GetBytes(LinkingDatasetWriter.HeaderLine), cancellationToken).ConfigureAwait(false);
                foreach (var part in parts)
                {
                    await using var rows = await services.OpenReadAsync(part.LinkingBlob!, cancellationToken).ConfigureAwait(false);
                    await rows.CopyToAsync(s, cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
            tables.Add(table with { Rows = parts.Sum(p => p.LinkingRows) });
            files.Add(new ShareFileRef(table.File, blob));
        }

        if (input.CaseLinks.TableBlob is { } caseLinks)
        {
            var table = CatalogueBuilder.CaseLinkTable(input.CaseLinks.Links);
            tables.Add(table);
            files.Add(new ShareFileRef(table.File, caseLinks));
        }

        var model = LinkageModel.FromJson(Encoding.UTF8.GetString(await services.ReadBytesAsync(input.ModelBlob, cancellationToken).ConfigureAwait(false)));
        var linkage = new LinkageSummary
        {
            Threshold = model.Settings.MatchThreshold,
            ModelSummary = ModelSummary(model),
            PersonIds = input.PersonIds,
        };
        var created = new DateTimeOffset(input.Run.RunDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var catalogue = new CatalogueInput(spec, PipelineProfiles.Catalog, results, linkage, tables, created);
        foreach (var (name, bytes) in new[]
        {
            (CatalogueBuilder.CatalogueFileName, CatalogueBuilder.BuildCatalogue(catalogue)),
            (CatalogueBuilder.DataPackageFileName, CatalogueBuilder.BuildDataPackage(catalogue)),
            (CatalogueBuilder.ReadmeFileName, new UTF8Encoding(false).GetBytes(CatalogueBuilder.BuildReadme(catalogue))),
        })
        {
            var blob = ShareSupport.Staged(input.Run, name);
            await services.WriteAsync(blob, s => s.WriteAsync(bytes, cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
            files.Add(new ShareFileRef(name, blob));
        }

        // Internal only: beside the staging folder, never in the file list.
        var report = PipelineServices.Working(input.Run, $"internal/{DisclosureRiskReport.FileName}");
        await services.WriteAsync(report, s => s.WriteAsync(DisclosureRiskReport.ToJson(spec.Share, spec.Version, risks), cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
        return new WriteCatalogueResult(files, report);
    }

    private static string ModelSummary(LinkageModel model)
    {
        var ci = CultureInfo.InvariantCulture;
        var comparisons = string.Join("; ", model.Comparisons.Select(c => $"{c.Name} ({c.Levels.Count} levels)"));
        var sessions = model.Provenance.Sessions;
        return string.Create(ci, $"Fellegi–Sunter model, link type {model.Settings.LinkType}; λ = {model.Lambda:G4}; comparisons: {comparisons}; ") +
            string.Create(ci, $"m by EM over {sessions.Count} training rule(s) ({sessions.Sum(s => s.Iterations)} iterations, {(sessions.All(s => s.Converged) ? "converged" : "not all converged")}{Sampled(sessions)}), u by random sampling ({model.Provenance.USamplePairs:N0} pairs); ") +
            $"match threshold {model.Settings.MatchThreshold.ToString(ci)}; engine {model.Provenance.EngineVersion}.";
    }

    private static string Sampled(IReadOnlyList<TrainingSession> sessions) =>
        sessions.Any(s => s.PairsGenerated > s.Pairs)
            ? string.Create(CultureInfo.InvariantCulture, $"; {sessions.Sum(s => s.Pairs):N0} of {sessions.Sum(s => Math.Max(s.Pairs, s.PairsGenerated)):N0} training pairs counted, a seeded sample")
            : string.Empty;
}
