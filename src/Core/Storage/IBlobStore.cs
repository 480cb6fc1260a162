namespace DataFirst.Core.Storage;

/// <summary>
/// The blob storage port. Implemented by the Azure Blob adapter (Azurite / Azure) and by the
/// local-folder adapter (the embedded default). Every implementation passes one contract suite.
/// Failures a caller can act on surface as <see cref="StorageException"/> with a
/// <see cref="StorageErrorKind"/> that is the same whatever the adapter.
/// </summary>
public interface IBlobStore
{
    /// <summary>Creates the container (private: no public access) unless it exists.</summary>
    Task CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default);

    /// <summary>
    /// Uploads <paramref name="content"/> as the whole blob. Large content is sent in blocks and
    /// committed at the end, so a failed upload leaves no partial blob visible.
    /// <see cref="BlobUploadOptions.IfNotExists"/>: fail with <see cref="StorageErrorKind.Conflict"/>
    /// if the blob exists. <see cref="BlobUploadOptions.IfMatch"/>: fail with
    /// <see cref="StorageErrorKind.PreconditionFailed"/> unless the blob has that ETag.
    /// </summary>
    Task<BlobItemInfo> UploadAsync(string container, string name, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Opens the blob for streaming read. <see cref="StorageErrorKind.NotFound"/> if absent.</summary>
    Task<Stream> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default);

    /// <summary>Properties and metadata, or null when the blob does not exist.</summary>
    Task<BlobItemInfo?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default);

    /// <summary>One page of blobs whose names start with <paramref name="prefix"/>, in name order.</summary>
    Task<BlobPage> ListPageAsync(string container, string? prefix, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob; returns false when it did not exist. With an ETag: conditional.</summary>
    Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default);
}

public sealed record BlobUploadOptions
{
    /// <summary>Create only: fail with Conflict when the blob already exists.</summary>
    public bool IfNotExists { get; init; }

    /// <summary>Replace only if the current ETag equals this value.</summary>
    public string? IfMatch { get; init; }

    public string? ContentType { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

public sealed record BlobItemInfo(
    string Container,
    string Name,
    long Length,
    string ETag,
    DateTimeOffset LastModified,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record BlobPage(IReadOnlyList<BlobItemInfo> Items, string? ContinuationToken);

public static class BlobStoreExtensions
{
    /// <summary>Every blob under a prefix, following continuation tokens.</summary>
    public static async IAsyncEnumerable<BlobItemInfo> ListAllAsync(
        this IBlobStore store,
        string container,
        string? prefix,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await store.ListPageAsync(container, prefix, token, null, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    public static async Task<BlobItemInfo> UploadBytesAsync(this IBlobStore store, string container, string name, ReadOnlyMemory<byte> bytes, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return await store.UploadAsync(container, name, stream, options, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<byte[]> DownloadBytesAsync(this IBlobStore store, string container, string name, CancellationToken cancellationToken = default)
    {
        await using var stream = await store.OpenReadAsync(container, name, cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
