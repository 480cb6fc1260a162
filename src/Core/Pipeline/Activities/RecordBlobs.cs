using DataFirst.Core.Ingest;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>Reading and writing the engine's columnar record sets as blobs.</summary>
internal static class RecordBlobs
{
    /// <summary>The run's records: every ingested person-level extract, concatenated in the run's order
    /// (so every activity sees the same row ids). Each blob's head is read first to size the result, then
    /// each is decoded straight into it, so the datasets are never held twice. With <paramref name="keep"/>, only
    /// those columns (none: the records' ids, datasets and row ids alone).</summary>
    public static async Task<RecordSet> ReadAllAsync(PipelineServices services, IReadOnlyList<string> blobs, CancellationToken cancellationToken, IReadOnlyCollection<string>? keep = null)
    {
        var parts = blobs.Where(b => b.Length > 0).ToList();
        if (parts.Count == 1 && keep is null)
        {
            return await ReadAsync(services, parts[0], cancellationToken).ConfigureAwait(false);
        }

        var total = 0L;
        IReadOnlyList<string>? columns = null;
        foreach (var blob in parts)
        {
            await using var stream = await services.OpenReadAsync(blob, cancellationToken).ConfigureAwait(false);
            var (count, names) = RecordSet.ReadCount(stream);
            total += count;
            columns ??= names;
        }

        if (columns is null || total > Array.MaxLength)
        {
            throw new Settings.DataException(columns is null ? "the run has no person-level records to link." : $"the run's datasets hold {total} records together, more than one record set can hold ({Array.MaxLength}): a run links at most that many records, so give it fewer extracts (records of different runs are not linked to each other).");
        }

        var all = new RecordSetConcatenation(columns, (int)total, keep: keep);
        foreach (var blob in parts)
        {
            await using var stream = await services.OpenReadAsync(blob, cancellationToken).ConfigureAwait(false);
            using var buffered = new BufferedStream(stream, 1 << 16);
            all.Append(buffered);
        }

        return all.Build();
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
