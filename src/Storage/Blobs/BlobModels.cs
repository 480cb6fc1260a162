using Azure;

namespace DataFirst.Storage.Blobs;

/// <summary>Conditions of a blob request (ETags; "*" = any).</summary>
public sealed record BlobRequestConditions
{
    public ETag? IfMatch { get; init; }

    public ETag? IfNoneMatch { get; init; }
}

/// <summary>What to send with an upload besides the content.</summary>
public sealed record BlobUploadRequestOptions
{
    public string? ContentType { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public BlobRequestConditions? Conditions { get; init; }
}

public sealed record BlobContentInfo(ETag ETag, DateTimeOffset LastModified, long ContentLength);

public sealed record BlobProperties(
    string Name,
    long ContentLength,
    ETag ETag,
    DateTimeOffset LastModified,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>The open content stream of a download and the blob's properties; dispose to release the connection.</summary>
public sealed class BlobDownloadStreamingResult(Stream content, BlobProperties details) : IDisposable, IAsyncDisposable
{
    public Stream Content { get; } = content;

    public BlobProperties Details { get; } = details;

    public void Dispose() => Content.Dispose();

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>One page of a List Blobs call.</summary>
public sealed record BlobsSegment(IReadOnlyList<BlobProperties> Blobs, string? NextMarker);
