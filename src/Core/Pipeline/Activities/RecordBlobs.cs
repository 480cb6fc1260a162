using DataFirst.Core.Ingest;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>Reading and writing the engine's columnar record sets as blobs.</summary>
internal static class RecordBlobs
{
    /// <summary>The run's records: every ingested person-level extract, concatenated in the run's order
    /// (so every activity sees the same row ids). Each blob is opened once: the heads of all are read first to size the
    /// result, then each is decoded straight into it, so the datasets are never held twice. With <paramref name="keep"/>,
    /// only those columns (none: the records' ids, datasets and row ids alone); with <paramref name="keepIds"/> false, not
    /// the ids either (<see cref="UniqueIdColumn.Absent"/>: for blocking, estimation and scoring, which never name a record). <paramref name="renumberRows"/> false keeps
    /// the row ids as written (a shard's parts carry the run's); a single blob read whole keeps them either way.</summary>
    public static async Task<RecordSet> ReadAllAsync(PipelineServices services, IReadOnlyList<string> blobs, CancellationToken cancellationToken, IReadOnlyCollection<string>? keep = null, bool renumberRows = true, bool keepIds = true)
    {
        var parts = blobs.Where(b => b.Length > 0).ToList();
        if (parts.Count == 1 && keep is null && keepIds)
        {
            return await ReadAsync(services, parts[0], cancellationToken).ConfigureAwait(false);
        }

        var open = new List<(Stream Stream, RecordSet.Preamble Head)>();
        try
        {
            foreach (var blob in parts)
            {
                var stream = new BufferedStream(await services.OpenReadAsync(blob, cancellationToken).ConfigureAwait(false), 1 << 16);
                try
                {
                    open.Add((stream, RecordSet.Preamble.Read(stream)));
                }
                catch
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }

            var total = open.Sum(p => (long)p.Head.Count);
            if (open.Count == 0 || total > Array.MaxLength)
            {
                throw new Settings.DataException(open.Count == 0 ? "the run has no person-level records to link." : $"the run's datasets hold {total} records together, more than one record set can hold ({Array.MaxLength}): a run links at most that many records, so give it fewer extracts (records of different runs are not linked to each other).");
            }

            var all = new RecordSetConcatenation(open[0].Head.Columns, (int)total, renumberRows, keep, keepIds);
            foreach (var (stream, head) in open)
            {
                all.Append(stream, head);
            }

            return all.Build();
        }
        finally
        {
            foreach (var (stream, _) in open)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
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
