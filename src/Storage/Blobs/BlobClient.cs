using System.Buffers;
using System.Globalization;
using System.Text;
using Azure;
using Azure.Core;
using DataFirst.Storage.Http;

namespace DataFirst.Storage.Blobs;

/// <summary>One block blob. Shaped like Azure.Storage.Blobs' <c>BlobClient</c>.</summary>
public class BlobClient
{
    private readonly BlobContainerClient _container;

    internal BlobClient(BlobContainerClient container, string name)
    {
        _container = container;
        Name = name;
        EscapedPath = string.Join('/', name.Split('/').Select(StoragePipeline.EscapeSegment));
        Uri = new Uri($"{container.Uri}/{EscapedPath}");
    }

    /// <summary>For mocking.</summary>
    protected BlobClient()
    {
        _container = null!;
        Name = string.Empty;
        EscapedPath = string.Empty;
        Uri = new Uri("https://localhost/");
    }

    public string Name { get; }

    public string BlobContainerName => _container.Name;

    public Uri Uri { get; }

    private string EscapedPath { get; }

    private BlobServiceClient Service => _container.Service;

    /// <summary>
    /// Uploads the whole stream. Up to <see cref="BlobClientOptions.SingleUploadThreshold"/>: one
    /// Put Blob; above: Put Block per <see cref="BlobClientOptions.BlockSize"/> then Put Block List,
    /// which applies the conditions and makes the blob visible at once (no partial blob on failure).
    /// Each request body is held in memory so that the pipeline can retry it; at most one block is
    /// held at a time.
    /// </summary>
    public virtual async Task<Response<BlobContentInfo>> UploadAsync(Stream content, BlobUploadRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= new BlobUploadRequestOptions();
        StorageNames.ValidateMetadata(options.Metadata);
        var threshold = Service.Options.SingleUploadThreshold;
        var blockSize = Service.Options.BlockSize;
        var bufferSize = Math.Max(threshold + 1, blockSize);
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            // Read up to threshold + 1 bytes: if the stream ends first, one Put Blob is enough.
            var first = await ReadFullyAsync(content, buffer.AsMemory(0, threshold + 1), cancellationToken).ConfigureAwait(false);
            if (first <= threshold)
            {
                return await PutBlobAsync(buffer.AsMemory(0, first), options, cancellationToken).ConfigureAwait(false);
            }

            var uploadId = Guid.NewGuid().ToByteArray();
            var blockIds = new List<string>();
            long total = 0;
            var filled = first;
            var ended = false;
            while (true)
            {
                if (!ended && filled < blockSize)
                {
                    var read = await ReadFullyAsync(content, buffer.AsMemory(filled, blockSize - filled), cancellationToken).ConfigureAwait(false);
                    ended = filled + read < blockSize;
                    filled += read;
                }

                if (filled == 0)
                {
                    break;
                }

                var size = Math.Min(filled, blockSize);
                var id = BlockId(uploadId, blockIds.Count);
                await StageBlockAsync(id, buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                blockIds.Add(id);
                total += size;
                filled -= size;
                if (filled > 0)
                {
                    // Bytes read ahead (the first read can span several blocks) move to the front.
                    buffer.AsSpan(size, filled).CopyTo(buffer);
                }
                else if (ended)
                {
                    break;
                }
            }

            return await CommitBlockListAsync(blockIds, total, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Put Block: stages one uncommitted block (invisible until Put Block List).</summary>
    public virtual async Task<Response> StageBlockAsync(string base64BlockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        using var message = Service.Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Put;
        request.Uri.Reset(Uri);
        request.Uri.AppendQuery("comp", "block");
        request.Uri.AppendQuery("blockid", base64BlockId, escapeValue: true);
        request.Headers.SetValue("x-ms-version", BlobClientOptions.ServiceVersion);
        request.Content = RequestContent.Create(content);
        await Service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status != 201)
        {
            throw await StoragePipeline.CreateExceptionAsync(message.Response, cancellationToken).ConfigureAwait(false);
        }

        return message.Response;
    }

    /// <summary>Put Block List: commits the staged blocks in order, with properties and conditions.</summary>
    public virtual async Task<Response<BlobContentInfo>> CommitBlockListAsync(IReadOnlyList<string> base64BlockIds, long totalLength, BlobUploadRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobUploadRequestOptions();
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in base64BlockIds)
        {
            xml.Append("<Latest>").Append(id).Append("</Latest>");
        }

        xml.Append("</BlockList>");
        using var message = Service.Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Put;
        request.Uri.Reset(Uri);
        request.Uri.AppendQuery("comp", "blocklist");
        request.Headers.SetValue("x-ms-version", BlobClientOptions.ServiceVersion);
        request.Headers.SetValue("Content-Type", "application/xml");
        request.Headers.SetValue("x-ms-blob-content-type", options.ContentType ?? "application/octet-stream");
        AddMetadataAndConditions(request, options);
        request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(xml.ToString()));
        await Service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return await ContentInfoAsync(message.Response, totalLength, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Get Blob, streaming: the response body is not buffered; dispose the result to release the connection.</summary>
    public virtual async Task<Response<BlobDownloadStreamingResult>> DownloadStreamingAsync(CancellationToken cancellationToken = default)
    {
        var message = Service.Pipeline.CreateMessage();
        try
        {
            var request = message.Request;
            request.Method = RequestMethod.Get;
            request.Uri.Reset(Uri);
            request.Headers.SetValue("x-ms-version", BlobClientOptions.ServiceVersion);
            message.BufferResponse = false;
            await Service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var response = message.Response;
            if (response.Status != 200)
            {
                throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false);
            }

            var details = PropertiesFromHeaders(Name, response);
            var stream = message.ExtractResponseContent() ?? new MemoryStream();
            return Response.FromValue(new BlobDownloadStreamingResult(stream, details), response);
        }
        finally
        {
            message.Dispose();
        }
    }

    /// <summary>Get Blob Properties (HEAD): length, ETag, content type, metadata.</summary>
    public virtual async Task<Response<BlobProperties>> GetPropertiesAsync(CancellationToken cancellationToken = default)
    {
        using var message = Service.Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Head;
        request.Uri.Reset(Uri);
        request.Headers.SetValue("x-ms-version", BlobClientOptions.ServiceVersion);
        await Service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200)
        {
            throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return Response.FromValue(PropertiesFromHeaders(Name, response), response);
    }

    /// <summary>Delete Blob (with its snapshots). False when it did not exist.</summary>
    public virtual async Task<Response<bool>> DeleteIfExistsAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = Service.Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Delete;
        request.Uri.Reset(Uri);
        request.Headers.SetValue("x-ms-version", BlobClientOptions.ServiceVersion);
        request.Headers.SetValue("x-ms-delete-snapshots", "include");
        AddConditions(request, conditions);
        await Service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        return response.Status switch
        {
            202 => Response.FromValue(true, response),
            404 when BlobContainerClient.ErrorCode(response) == "BlobNotFound" => Response.FromValue(false, response),
            _ => throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false),
        };
    }

    public override string ToString() => $"BlobClient({Uri})";

    private async Task<Response<BlobContentInfo>> PutBlobAsync(ReadOnlyMemory<byte> content, BlobUploadRequestOptions options, CancellationToken cancellationToken)
    {
        using var message = Service.Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Put;
        request.Uri.Reset(Uri);
        request.Headers.SetValue("x-ms-version", BlobClientOptions.ServiceVersion);
        request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        request.Headers.SetValue("x-ms-blob-content-type", options.ContentType ?? "application/octet-stream");
        AddMetadataAndConditions(request, options);
        request.Content = RequestContent.Create(content);
        await Service.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return await ContentInfoAsync(message.Response, content.Length, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Response<BlobContentInfo>> ContentInfoAsync(Response response, long length, CancellationToken cancellationToken)
    {
        if (response.Status != 201)
        {
            throw await StoragePipeline.CreateExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return Response.FromValue(new BlobContentInfo(response.Headers.ETag ?? default, LastModified(response), length), response);
    }

    private static void AddMetadataAndConditions(Request request, BlobUploadRequestOptions options)
    {
        if (options.Metadata is not null)
        {
            foreach (var (key, value) in options.Metadata)
            {
                request.Headers.SetValue("x-ms-meta-" + key, value);
            }
        }

        AddConditions(request, options.Conditions);
    }

    private static void AddConditions(Request request, BlobRequestConditions? conditions)
    {
        if (conditions?.IfMatch is { } ifMatch)
        {
            request.Headers.SetValue("If-Match", ifMatch.ToString("H"));
        }

        if (conditions?.IfNoneMatch is { } ifNoneMatch)
        {
            request.Headers.SetValue("If-None-Match", ifNoneMatch.ToString("H"));
        }
    }

    internal static BlobProperties PropertiesFromHeaders(string name, Response response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers)
        {
            if (header.Name.StartsWith("x-ms-meta-", StringComparison.OrdinalIgnoreCase))
            {
                metadata[header.Name["x-ms-meta-".Length..]] = header.Value;
            }
        }

        var length = response.Headers.TryGetValue("Content-Length", out var l) ? long.Parse(l, CultureInfo.InvariantCulture) : 0;
        var contentType = response.Headers.TryGetValue("Content-Type", out var t) ? t : null;
        return new BlobProperties(name, length, response.Headers.ETag ?? default, LastModified(response), contentType, metadata);
    }

    private static DateTimeOffset LastModified(Response response) =>
        response.Headers.TryGetValue("Last-Modified", out var value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : DateTimeOffset.UtcNow;

    /// <summary>Block ids: base64 of (upload id, block index), so every id of a blob has one length.</summary>
    private static string BlockId(byte[] uploadId, int index)
    {
        var bytes = new byte[20];
        uploadId.CopyTo(bytes, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), index);
        return Convert.ToBase64String(bytes);
    }

    private static async Task<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
