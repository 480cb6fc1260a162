using System.Text;
using DataFirst.Core.Storage;

namespace DataFirst.Core.Tests.Fakes;

/// <summary>
/// Core's <see cref="InMemoryBlobStore"/> with test hooks: fail chosen uploads (fault injection)
/// and read names and contents directly.
/// </summary>
public sealed class TestBlobStore : IBlobStore
{
    private readonly InMemoryBlobStore _inner = new();
    private readonly HashSet<string> _containers = new(StringComparer.Ordinal);

    /// <summary>When it returns true for a blob name, the upload fails with an IOException before anything is stored.</summary>
    public Func<string, bool>? FailUpload { get; set; }

    public IReadOnlyCollection<string> BlobNames(string container) =>
        _containers.Contains(container)
            ? _inner.ListAllAsync(container, null).ToBlockingEnumerable().Select(b => b.Name).ToList()
            : [];

    public byte[] Content(string container, string name) => _inner.DownloadBytesAsync(container, name).GetAwaiter().GetResult();

    public Task CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default)
    {
        lock (_containers)
        {
            _containers.Add(container);
        }

        return _inner.CreateContainerIfNotExistsAsync(container, cancellationToken);
    }

    public Task<BlobItemInfo> UploadAsync(string container, string name, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default) =>
        FailUpload?.Invoke(name) == true
            ? Task.FromException<BlobItemInfo>(new IOException($"injected upload failure for '{name}'"))
            : _inner.UploadAsync(container, name, content, options, cancellationToken);

    /// <summary>How many times each blob ("container/name") was opened for reading.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Opened { get; } = new(StringComparer.Ordinal);

    public Task<Stream> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        Opened.AddOrUpdate($"{container}/{name}", 1, (_, n) => n + 1);
        return _inner.OpenReadAsync(container, name, cancellationToken);
    }

    public Task<BlobItemInfo?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default) => _inner.GetPropertiesAsync(container, name, cancellationToken);

    public Task<BlobPage> ListPageAsync(string container, string? prefix, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default) =>
        _containers.Contains(container) ? _inner.ListPageAsync(container, prefix, continuationToken, pageSize, cancellationToken) : Task.FromResult(new BlobPage([], null));

    /// <summary>When set, each delete first waits this long (a storage round trip).</summary>
    public TimeSpan? DeleteLatency { get; set; }

    /// <summary>The most deletes seen in flight at once.</summary>
    public int MostConcurrentDeletes => _mostDeletes;

    private int _deletes;
    private int _mostDeletes;

    public async Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var now = Interlocked.Increment(ref _deletes);
        int seen;
        while (now > (seen = Volatile.Read(ref _mostDeletes)) && Interlocked.CompareExchange(ref _mostDeletes, now, seen) != seen)
        {
        }

        try
        {
            if (DeleteLatency is { } latency)
            {
                await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
            }

            return await _inner.DeleteAsync(container, name, ifMatch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _deletes);
        }
    }

    public override string ToString() => $"TestBlobStore({Encoding.UTF8.WebName})";
}
