using DataFirst.Core.Storage;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// Once the share is published, removes the run's intermediates from the working container: the standardised records,
/// the clean copies of the extracts, shards, edges and the term frequencies (all of them personal data), and the
/// staged share files (now published). Keeps the run's pinned settings and its internal disclosure-risk report. The
/// storage account's lifecycle rule deletes whatever is left in working/ after some days; this removes the personal
/// data as soon as it is no longer needed, and also on the embedded store, which has no such rule. Idempotent.
/// </summary>
public sealed class CleanWorkingActivity(PipelineServices services)
{
    public const string Name = nameof(CleanWorkingActivity);

    /// <summary>Deletes in flight at once.</summary>
    public const int ParallelDeletes = 16;

    /// <summary>The folders of working/{run}/ removed.</summary>
    public static readonly IReadOnlyList<string> RemovedFolders = ["records/", "clean/", "shards/", "edges/", "model/", "share/", "share-stats/", "share-linking/"];

    public async Task<CleanWorkingResult> RunAsync(CleanWorkingInput input, CancellationToken cancellationToken)
    {
        var names = new List<(string Name, long Length)>();
        foreach (var folder in RemovedFolders)
        {
            await foreach (var item in services.Blobs.ListAllAsync(PipelineServices.WorkingContainer, $"{input.Run.RunId}/{folder}", cancellationToken).ConfigureAwait(false))
            {
                names.Add((item.Name, item.Length));
            }
        }

        // A run leaves hundreds of working blobs (a shard per rule and partition, edges per partition): deleted several at
        // a time, since against Azure Storage each delete is a round trip.
        long blobs = 0, bytes = 0;
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = ParallelDeletes, CancellationToken = cancellationToken }, async (blob, token) =>
        {
            if (await services.Blobs.DeleteAsync(PipelineServices.WorkingContainer, blob.Name, null, token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref blobs);
                Interlocked.Add(ref bytes, blob.Length);
            }
        }).ConfigureAwait(false);

        return new CleanWorkingResult(blobs, bytes);
    }
}
