using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace DataFirst.Core.Storage;

/// <summary>
/// A blob store held in memory: for unit tests and throw-away runs. Same semantics as the other
/// adapters (conditional create, ETags, name-ordered paging).
/// </summary>
public sealed class InMemoryBlobStore : IBlobStore
{
    private readonly ConcurrentDictionary<string, byte> _containers = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, Entry> _blobs = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _version;

    public Task CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default)
    {
        _containers.TryAdd(container, 0);
        return Task.CompletedTask;
    }

    public async Task<BlobItemInfo> UploadAsync(string container, string name, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobNames.Validate(name);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var key = Key(container, name);
        lock (_gate)
        {
            RequireContainer(container);
            _blobs.TryGetValue(key, out var existing);
            if (options?.IfNotExists == true && existing is not null)
            {
                throw new StorageException(StorageErrorKind.Conflict, 409, "BlobAlreadyExists", $"Blob '{container}/{name}' already exists.");
            }

            if (options?.IfMatch is { } ifMatch && ifMatch != "*" && (existing is null || existing.Info.ETag != ifMatch))
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "ConditionNotMet", $"Blob '{container}/{name}' has changed (ETag mismatch).");
            }

            var bytes = buffer.ToArray();
            var info = new BlobItemInfo(
                container,
                name,
                bytes.Length,
                $"\"0x{Interlocked.Increment(ref _version):X8}{Convert.ToHexString(SHA256.HashData(bytes), 0, 4)}\"",
                DateTimeOffset.UtcNow,
                options?.ContentType,
                new Dictionary<string, string>(options?.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase));
            _blobs[key] = new Entry(info, bytes);
            return info;
        }
    }

    public Task<Stream> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_blobs.TryGetValue(Key(container, name), out var entry))
            {
                throw NotFound(container, name);
            }

            return Task.FromResult<Stream>(new MemoryStream(entry.Bytes, writable: false));
        }
    }

    public Task<BlobItemInfo?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_blobs.TryGetValue(Key(container, name), out var entry) ? entry.Info : null);
        }
    }

    public Task<BlobPage> ListPageAsync(string container, string? prefix, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        var size = pageSize ?? 5000;
        var start = Key(container, continuationToken ?? prefix ?? string.Empty);
        var containerPrefix = Key(container, prefix ?? string.Empty);
        lock (_gate)
        {
            var matches = _blobs
                .Where(kv => string.CompareOrdinal(kv.Key, start) >= 0 && kv.Key.StartsWith(containerPrefix, StringComparison.Ordinal))
                .Take(size + 1)
                .Select(kv => kv.Value.Info)
                .ToList();
            var next = matches.Count > size ? matches[size].Name : null;
            return Task.FromResult(new BlobPage(matches.Take(size).ToList(), next));
        }
    }

    public Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var key = Key(container, name);
            if (!_blobs.TryGetValue(key, out var entry))
            {
                return Task.FromResult(false);
            }

            if (ifMatch is not null && ifMatch != "*" && entry.Info.ETag != ifMatch)
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "ConditionNotMet", $"Blob '{container}/{name}' has changed (ETag mismatch).");
            }

            return Task.FromResult(_blobs.Remove(key));
        }
    }

    private void RequireContainer(string container)
    {
        if (!_containers.ContainsKey(container))
        {
            throw new StorageException(StorageErrorKind.NotFound, 404, "ContainerNotFound", $"Container '{container}' does not exist.");
        }
    }

    private static StorageException NotFound(string container, string name) =>
        new(StorageErrorKind.NotFound, 404, "BlobNotFound", $"Blob '{container}/{name}' does not exist.");

    private static string Key(string container, string name) => container + "\u0001" + name;

    private sealed record Entry(BlobItemInfo Info, byte[] Bytes);
}
