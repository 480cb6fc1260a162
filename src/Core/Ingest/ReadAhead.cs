using System.Collections.Concurrent;

namespace DataFirst.Core.Ingest;

/// <summary>
/// Runs a sequence's enumeration on a thread-pool thread, ahead of its consumer: the items are handed over in chunks
/// through a bounded queue, so the work that makes each item (reading and checking a CSV row) and the work done with it
/// (standardising it into a record set) run on two cores. The order is kept. An exception from the sequence is thrown
/// to the consumer when it reaches that point; a consumer that stops early stops the sequence and waits for it, so
/// whatever the sequence reads can be disposed straight after.
/// </summary>
internal static class ReadAhead
{
    public static IEnumerable<T> Enumerate<T>(IEnumerable<T> source, CancellationToken cancellationToken, int chunkSize = 512, int chunks = 8)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var queue = new BlockingCollection<T[]>(chunks);
        var producer = Task.Run(
            () =>
            {
                var chunk = new List<T>(chunkSize);
                try
                {
                    foreach (var item in source)
                    {
                        chunk.Add(item);
                        if (chunk.Count == chunkSize)
                        {
                            queue.Add(chunk.ToArray(), stop.Token);
                            chunk.Clear();
                        }
                    }
                }
                finally
                {
                    try
                    {
                        // The items made before the end, or before the sequence failed, still reach the consumer.
                        if (chunk.Count > 0 && !stop.IsCancellationRequested)
                        {
                            queue.Add(chunk.ToArray(), stop.Token);
                        }
                    }
                    finally
                    {
                        queue.CompleteAdding();
                    }
                }
            },
            CancellationToken.None);

        try
        {
            foreach (var chunk in queue.GetConsumingEnumerable(cancellationToken))
            {
                foreach (var item in chunk)
                {
                    yield return item;
                }
            }

            producer.GetAwaiter().GetResult(); // the sequence's own exception, if it failed
        }
        finally
        {
            stop.Cancel();
            ((Task)producer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        }
    }
}
