using Azure;
using DataFirst.Core.Storage;
using DataFirst.Storage.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using CoreBlobUploadOptions = DataFirst.Core.Storage.BlobUploadOptions;

namespace DataFirst.Storage.Blobs;

/// <summary>The blob port over the Blob REST API (Azure Storage or Azurite).</summary>
public sealed class AzureBlobStore(BlobServiceClient service, ILogger<AzureBlobStore>? logger = null) : IBlobStore
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public const int MaxPageSize = 5000;

    public BlobServiceClient Service { get; } = service ?? throw new ArgumentNullException(nameof(service));

    public override string ToString() => $"AzureBlobStore({Service.Uri})";

    public async Task CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        try
        {
            await Service.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Create container", container);
        }
    }

    public async Task<BlobItemInfo> UploadAsync(string container, string name, Stream content, CoreBlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        StorageNames.ValidateContainer(container);
        StorageNames.ValidateBlobName(name);
        options ??= new CoreBlobUploadOptions();
        StorageNames.ValidateMetadata(options.Metadata);
        var request = new BlobUploadRequestOptions
        {
            ContentType = options.ContentType ?? "application/octet-stream",
            Metadata = options.Metadata,
            Conditions = new BlobRequestConditions
            {
                IfNoneMatch = options.IfNotExists ? ETag.All : null,
                IfMatch = options.IfMatch is null ? null : new ETag(options.IfMatch),
            },
        };
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var response = await Client(container, name).UploadAsync(content, request, cancellationToken).ConfigureAwait(false);
            var info = response.Value;
            Log.BlobUploaded(_logger, container, name, info.ContentLength, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, nameof(AzureBlobStore));
            return new BlobItemInfo(container, name, info.ContentLength, info.ETag.ToString(), info.LastModified, request.ContentType, CopyMetadata(options.Metadata));
        }
        catch (RequestFailedException ex) when (options.IfNotExists && ex.Status is 409 or 412)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Create-only upload", $"{container}/{name}", StorageErrorKind.Conflict);
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Upload", $"{container}/{name}");
        }
    }

    public async Task<Stream> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        StorageNames.ValidateBlobName(name);
        try
        {
            var response = await Client(container, name).DownloadStreamingAsync(cancellationToken).ConfigureAwait(false);
            return response.Value.Content;
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Download", $"{container}/{name}");
        }
    }

    public async Task<BlobItemInfo?> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        StorageNames.ValidateBlobName(name);
        try
        {
            var response = await Client(container, name).GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
            return ToInfo(container, response.Value);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode != "ContainerNotFound")
        {
            return null;
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Get properties", $"{container}/{name}");
        }
    }

    public async Task<BlobPage> ListPageAsync(string container, string? prefix, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        StorageNames.ValidatePrefix(prefix);
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"Page size must be between 1 and {MaxPageSize}.");
        }

        try
        {
            var response = await Service.GetBlobContainerClient(container).GetBlobsPageAsync(prefix, continuationToken, pageSize, cancellationToken).ConfigureAwait(false);
            return new BlobPage(response.Value.Blobs.Select(b => ToInfo(container, b)).ToList(), response.Value.NextMarker);
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "List blobs", container);
        }
    }

    public async Task<bool> DeleteAsync(string container, string name, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        StorageNames.ValidateBlobName(name);
        try
        {
            var conditions = ifMatch is null ? null : new BlobRequestConditions { IfMatch = new ETag(ifMatch) };
            var response = await Client(container, name).DeleteIfExistsAsync(conditions, cancellationToken).ConfigureAwait(false);
            return response.Value;
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Delete", $"{container}/{name}");
        }
    }

    private BlobClient Client(string container, string name) => Service.GetBlobContainerClient(container).GetBlobClient(name);

    private static BlobItemInfo ToInfo(string container, BlobProperties properties) =>
        new(container, properties.Name, properties.ContentLength, properties.ETag.ToString(), properties.LastModified, properties.ContentType, properties.Metadata);

    private static Dictionary<string, string> CopyMetadata(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) : new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase);
}
