using DataFirst.Core.Storage;

namespace DataFirst.Core.Tests.Fakes;

/// <summary>
/// An in-memory <see cref="IBlobStore"/> with the port's semantics: containers must exist,
/// IfNotExists → Conflict, IfMatch → PreconditionFailed, missing blobs → NotFound, list in name
/// order with continuation tokens. <see cref="FailUpload"/> lets a test interrupt an upload.
/// </summary>
public sealed class InMemoryBlobStore : IBlobStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, StoredBlob>> _containers = new(StringComparer.Ordinal);
    private long _etag;

    /// <summary>When it returns true for a blob name, the upload fails with an IOException before anything is stored.</summary>
    public Func<string, bool>? FailUpload { get; set; }

    public IReadOnlyCollection<string> BlobNames(string container)
    {
        lock (_gate)
        {
            return _containers.TryGetValue(container, out var c) ? [.. c.Keys] : [];
        }
    }

    public byte[] Content(string container, string name)
    {
        lock (_gate)
        {
            return _containers[container][name].Content;
        }
    }

    public Task CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_containers.ContainsKey(container))
            {
                _containers[container] = new SortedDictionary<string, StoredBlob>(StringComparer.Ordinal);
            }
        }

        return Task.CompletedTask;
    }

    public async Task<BlobItemInfo> UploadAsync(string container, string name, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobUploadOptions();
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        if (FailUpload?.Invoke(name) == true)
        {
            throw new IOException($"Simulated failure uploading {container}/{name}.");
        }

        lock (_gate)
        {
            var c = Container(container);
            c.TryGetValue(name, out var existing);
            if (options.IfNotExists && existing is not null)
            {
                throw new StorageException(StorageErrorKind.Conflict, 409, "BlobAlreadyExists", $"Blob {container}/{name} already exists.");
            }

            if (options.IfMatch is { } ifMatch && ifMatch != "*" && (existing is null || existing.ETag != ifMatch))
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "ConditionNotMet", $"Blob {container}/{name}: the ETag condition is not met.");
            }

            if (options.IfMatch == "*" && existing is null)
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "ConditionNotMet", $"Blob {container}/{name} does not exist.");
            }

            var blob = new StoredBlob(buffer.ToArray(), $"\"0x{Interlocked.Increment(ref _etag):X}\"", DateTimeOffset.UtcNow, options.ContentType, options.Metadata ?? new Dictionary<string, string>());
            c[name] = blob;
            return Info(container, name, blob);
        }
    }

    public Task<Stream> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!Container(container).TryGetValue(name, out var blob))
            {
                throw new StorageException(StorageErrorKind.NotFound, 404, "BlobNotFound", $"Blob {container}/{name} does not exist.");
            }

            return Task.FromResult<Stream>(new MemoryStream(blob.Content, writable: false));
        }
    }

    public Task<BlobItemInfo?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_containers.TryGetValue(container, out var c) || !c.TryGetValue(name, out var blob))
            {
                return Task.FromResult<BlobItemInfo?>(null);
            }

            return Task.FromResult<BlobItemInfo?>(Info(container, name, blob));
        }
    }

    public Task<BlobPage> ListPageAsync(string container, string? prefix, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var size = pageSize ?? 5000;
            var items = Container(container)
                .Where(kv => (prefix is null || kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                             && (continuationToken is null || string.CompareOrdinal(kv.Key, continuationToken) > 0))
                .Take(size + 1)
                .Select(kv => Info(container, kv.Key, kv.Value))
                .ToList();
            var more = items.Count > size;
            if (more)
            {
                items.RemoveAt(items.Count - 1);
            }

            return Task.FromResult(new BlobPage(items, more ? items[^1].Name : null));
        }
    }

    public Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var c = Container(container);
            if (!c.TryGetValue(name, out var blob))
            {
                return Task.FromResult(false);
            }

            if (ifMatch is not null && ifMatch != "*" && blob.ETag != ifMatch)
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "ConditionNotMet", $"Blob {container}/{name}: the ETag condition is not met.");
            }

            c.Remove(name);
            return Task.FromResult(true);
        }
    }

    private SortedDictionary<string, StoredBlob> Container(string container) =>
        _containers.TryGetValue(container, out var c)
            ? c
            : throw new StorageException(StorageErrorKind.NotFound, 404, "ContainerNotFound", $"Container {container} does not exist.");

    private static BlobItemInfo Info(string container, string name, StoredBlob blob) =>
        new(container, name, blob.Content.LongLength, blob.ETag, blob.LastModified, blob.ContentType, blob.Metadata);

    private sealed record StoredBlob(byte[] Content, string ETag, DateTimeOffset LastModified, string? ContentType, IReadOnlyDictionary<string, string> Metadata);
}
