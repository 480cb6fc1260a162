using DataFirst.Core.Ingest;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>Reading and writing the engine's columnar record sets as blobs.</summary>
internal static class RecordBlobs
{
    /// <summary>The run's records: every ingested person-level extract, concatenated in the run's order
    /// (so every activity sees the same row ids).</summary>
    public static async Task<RecordSet> ReadAllAsync(PipelineServices services, IReadOnlyList<string> blobs, CancellationToken cancellationToken)
    {
        var sets = new List<RecordSet>();
        foreach (var blob in blobs.Where(b => b.Length > 0))
        {
            sets.Add(await ReadAsync(services, blob, cancellationToken).ConfigureAwait(false));
        }

        return sets.Count == 1 ? sets[0] : RecordSet.Concat(sets);
    }

    public static async Task<RecordSet> ReadAsync(PipelineServices services, string blob, CancellationToken cancellationToken)
    {
        await using var stream = await services.OpenReadAsync(blob, cancellationToken).ConfigureAwait(false);
        using var buffered = new BufferedStream(stream, 1 << 16);
        return RecordSet.ReadFrom(buffered);
    }

    public static Task WriteAsync(PipelineServices services, string blob, RecordSet records, CancellationToken cancellationToken) =>
        services.WriteAsync(blob, s => Task.Run(() => records.WriteTo(s), cancellationToken), cancellationToken);
}
