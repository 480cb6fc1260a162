using DataFirst.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataFirst.Core.Pipeline;

/// <summary>What the pipeline's activities need: storage, keys, logging. One per host.</summary>
public sealed class PipelineServices(IBlobStore blobs, ITableStore tables, Deidentification.IPseudonymKeyProvider keys, ILoggerFactory loggerFactory)
{
    static PipelineServices() => ReserveThreads();

    /// <summary>
    /// Lets the thread pool start up to 4 threads per core (at least 16) at once, instead of one per core and then one
    /// every half second or so. Activities hold pool threads while they wait: a reader runs ahead of an ingest on its
    /// own thread and both wait on each other's queue, and a synchronous writer waits while its upload catches up
    /// (<see cref="PipedUpload"/>). With one thread per core those waits held back the uploads' own continuations:
    /// at 1 M people the ingest stage took 6.8 s instead of 5.2-5.5 s (uploads waited 2 s of a 3.2 s extract), and
    /// with 16 threads 5.3 s, no upload waiting. Called once, by the first host that builds the services. CPU-bound
    /// loops are limited to one worker per core on their own (<see cref="CpuParallelism"/>): without that limit each
    /// took up to 14 threads on 2 cores, and a 10 M-person run took 343 s instead of 271 s.
    /// </summary>
    public static void ReserveThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = Math.Max(16, 4 * Environment.ProcessorCount);
        if (workers < wanted)
        {
            ThreadPool.SetMinThreads(wanted, io);
        }
    }

    public const string ExtractsContainer = "extracts";
    public const string WorkingContainer = "working";
    public const string QuarantineContainer = "quarantine";
    public const string ModelsContainer = "models";
    public const string TransferContainer = "srs-transfer";

    /// <summary>Internal state kept across runs: each share's person id mapping.</summary>
    public const string LinkageContainer = Deidentification.PersonIdMappingStore.DefaultContainer;

    public IBlobStore Blobs { get; } = blobs;

    public ITableStore Tables { get; } = tables;

    public Deidentification.IPseudonymKeyProvider Keys { get; } = keys;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;

    /// <summary>Creates every container the pipeline writes to (private).</summary>
    public async Task EnsureContainersAsync(CancellationToken cancellationToken)
    {
        foreach (var c in new[] { ExtractsContainer, WorkingContainer, QuarantineContainer, ModelsContainer, LinkageContainer, TransferContainer })
        {
            await Blobs.CreateContainerIfNotExistsAsync(c, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>"working/{runId}/{relative}" as a blob reference.</summary>
    public static string Working(RunContext run, string relative) => $"{WorkingContainer}/{run.RunId}/{relative}";

    public async Task<Stream> OpenReadAsync(string blobRef, CancellationToken cancellationToken)
    {
        var (container, name) = BlobRef.Split(blobRef);
        return await Blobs.OpenReadAsync(container, name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The blob's size in bytes; null when it does not exist.</summary>
    public async Task<long?> LengthAsync(string blobRef, CancellationToken cancellationToken)
    {
        var (container, name) = BlobRef.Split(blobRef);
        return (await Blobs.GetPropertiesAsync(container, name, cancellationToken).ConfigureAwait(false))?.Length;
    }

    /// <summary>Writes a blob as <paramref name="write"/> produces it (<see cref="PipedUpload"/>): no local file, a few
    /// MiB in flight, and the blob is committed only if <paramref name="write"/> completes.</summary>
    public async Task WriteAsync(string blobRef, Func<Stream, Task> write, CancellationToken cancellationToken, BlobUploadOptions? options = null)
    {
        var (container, name) = BlobRef.Split(blobRef);
        await PipedUpload.UploadAsync(Blobs, container, name, options, write, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>UTF-8 text uploaded to the blob as it is written (<see cref="PipedText"/>); its CompleteAsync commits it.</summary>
    public PipedText StartText(string blobRef, CancellationToken cancellationToken)
    {
        var (container, name) = BlobRef.Split(blobRef);
        return PipedText.Start(Blobs, container, name, null, cancellationToken);
    }

    public async Task<byte[]> ReadBytesAsync(string blobRef, CancellationToken cancellationToken)
    {
        var (container, name) = BlobRef.Split(blobRef);
        return await Blobs.DownloadBytesAsync(container, name, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Blob references "container/name".</summary>
public static class BlobRef
{
    public static (string Container, string Name) Split(string blobRef)
    {
        var slash = blobRef.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == blobRef.Length - 1)
        {
            throw new ArgumentException($"'{blobRef}' is not a blob reference 'container/name'.", nameof(blobRef));
        }

        return (blobRef[..slash], blobRef[(slash + 1)..]);
    }
}
