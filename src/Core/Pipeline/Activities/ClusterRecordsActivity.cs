using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DataFirst.Core.Clustering;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Prediction;
using DataFirst.Core.Training;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// Clusters of the scored edges at the model's threshold (its <c>clustering</c>) give an estimated person
/// per record; the person ids are carried over from the share's previous run where a cluster
/// persists (new, split and merged clusters get new meaningless ids). The mapping stays in
/// internal storage (the linkage container); later activities read it from there.
/// </summary>
public sealed class ClusterRecordsActivity(PipelineServices services)
{
    public const string Name = nameof(ClusterRecordsActivity);

    public async Task<ClusterRecordsResult> RunAsync(ClusterRecordsInput input, CancellationToken cancellationToken)
    {
        var model = LinkageModel.FromJson(Encoding.UTF8.GetString(await services.ReadBytesAsync(input.ModelBlob, cancellationToken).ConfigureAwait(false)));
        // Connected components (plain or size-aware) need only the records' ids and datasets; average and complete
        // linkage score pairs that are not edges, so they need every column.
        var scoresPairs = ConnectedComponents.ParseLinkage(model.Settings.Clustering) is ClusterLinkage.AverageLinkage or ClusterLinkage.CompleteLinkage;
        var records = await RecordBlobs.ReadAllAsync(services, input.RecordBlobs, cancellationToken, keep: scoresPairs ? null : []).ConfigureAwait(false);
        var checks = await RecordChecksAsync(input, records, cancellationToken).ConfigureAwait(false);

        // The edges go to a local file, read again by each pass of the clustering rather than held: a national
        // run has tens of millions. The file goes once the clusters are made.
        ClusterResult clusters;
        await using (var edgeFile = TempFile.Create("the clustering's edge file"))
        {
            await EdgeStream.StartAsync(edgeFile.Stream, cancellationToken).ConfigureAwait(false);
            foreach (var blob in input.EdgeBlobs)
            {
                await using var stream = await services.OpenReadAsync(blob, cancellationToken).ConfigureAwait(false);
                await EdgeStream.AppendAsync(stream, edgeFile.Stream, cancellationToken).ConfigureAwait(false);
            }

            await edgeFile.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            clusters = InMemoryLinker.Cluster(records, model, tf: null, EdgeStream.ReadFromStart(edgeFile.Stream));
        }

        // Person ids: the records in (dataset, row id) order, so fresh ids come out in the same order on a repeated
        // run; a cluster id is the position of one of its records.
        var store = new PersonIdMappingStore(services.Blobs);
        var report = await store.AssignAndSaveAsync(input.Run.Share, input.Run.RunId, RecordOrder.Of(records), clusters.ClusterIds, new PersonIdAssigner(SeededIds(input.Run)), checks, cancellationToken).ConfigureAwait(false);

        var warnings = clusters.Metrics.Suspicious.Take(5)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"a cluster of {c.Size} records is held together by only {c.Edges} links (density {c.Density:0.000}): check for chained false links"))
            .Concat(PersonIdWarnings.For(report))
            .ToList();
        var personIds = $"{PipelineServices.LinkageContainer}/{PersonIdMappingStore.RunFolder(input.Run.Share, input.Run.RunId)}";
        return new ClusterRecordsResult(personIds, records.Count, clusters.Metrics.Clusters, clusters.Metrics.LargestCluster, clusters.Metrics.Suspicious.Count, report, warnings);
    }

    /// <summary>
    /// Each record's check (<see cref="RecordChecks"/>) under the share's key, so the person id mapping carries an id over
    /// only to the same record. From the records when they hold their columns, else one record blob at a time (its
    /// columns only while its checks are made). None for a run started before checks were kept (no key in its input).
    /// </summary>
    private async Task<RecordChecks?> RecordChecksAsync(ClusterRecordsInput input, Ingest.RecordSet records, CancellationToken cancellationToken)
    {
        if (input.KeyId is null)
        {
            return null;
        }

        var key = await services.Keys.GetKeyAsync(input.KeyId, cancellationToken).ConfigureAwait(false);
        if (input.KeyFingerprint is not null && !string.Equals(key.Fingerprint(), input.KeyFingerprint, StringComparison.Ordinal))
        {
            throw new DeidentificationException(
                $"The pseudonymisation key '{input.KeyId}' is not the key this run started with: the person id mapping's record checks are made with it. Restore the key the run started with and resume the run, or start a new run.");
        }

        if (records.ColumnNames.Count > 0)
        {
            return RecordChecks.Of(records, key);
        }

        return await RecordChecks.OfPartsAsync(records.Count, key, Parts(), cancellationToken).ConfigureAwait(false);

        async IAsyncEnumerable<Ingest.RecordSet> Parts()
        {
            foreach (var blob in input.RecordBlobs.Where(b => b.Length > 0))
            {
                yield return await RecordBlobs.ReadAllAsync(services, [blob], cancellationToken, keepIds: false).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Person ids are random-looking and meaningless; they come from a generator seeded by the run's
    /// seed, share and version (not by any identifier), so a resumed or repeated run gives the same ids.
    /// </summary>
    private static Func<string> SeededIds(RunContext run) =>
        new SeededPersonIds(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"person-ids\n{run.Seed}\n{run.Share}\n{run.Version}")))).Next;
}
