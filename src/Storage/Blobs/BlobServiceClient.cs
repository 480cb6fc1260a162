using Azure.Core;
using Azure.Core.Pipeline;
using DataFirst.Storage.Http;

namespace DataFirst.Storage.Blobs;

/// <summary>
/// The Blob service of one storage account, over Azure.Core's <see cref="HttpPipeline"/>.
/// Shaped like Azure.Storage.Blobs' <c>BlobServiceClient</c>.
/// </summary>
public class BlobServiceClient
{
    /// <summary>Shared Key auth from a connection string (including <c>UseDevelopmentStorage=true</c>).</summary>
    public BlobServiceClient(string connectionString, BlobClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options)
    {
    }

    public BlobServiceClient(StorageConnectionString connectionString, BlobClientOptions? options = null)
        : this(connectionString.BlobEndpoint, connectionString.Credential, null, options)
    {
    }

    public BlobServiceClient(Uri serviceUri, StorageSharedKeyCredential credential, BlobClientOptions? options = null)
        : this(serviceUri, credential ?? throw new ArgumentNullException(nameof(credential)), null, options)
    {
    }

    /// <summary>Token auth (Microsoft Entra ID) with scope https://storage.azure.com/.default; needs HTTPS.</summary>
    public BlobServiceClient(Uri serviceUri, TokenCredential credential, BlobClientOptions? options = null)
        : this(serviceUri, null, credential ?? throw new ArgumentNullException(nameof(credential)), options)
    {
    }

    private BlobServiceClient(Uri serviceUri, StorageSharedKeyCredential? sharedKey, TokenCredential? token, BlobClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(serviceUri);
        Options = options ?? new BlobClientOptions();
        Options.Validate();
        Uri = new Uri(serviceUri.GetLeftPart(UriPartial.Path).TrimEnd('/'));
        AccountName = sharedKey?.AccountName ?? AccountNameFromUri(Uri);
        Pipeline = StoragePipeline.Build(Options, sharedKey, token, SharedKeyService.Blob);
    }

    /// <summary>For mocking.</summary>
    protected BlobServiceClient()
    {
        Uri = new Uri("https://localhost/");
        AccountName = string.Empty;
        Options = new BlobClientOptions();
        Pipeline = HttpPipelineBuilder.Build(Options);
    }

    public Uri Uri { get; }

    public string AccountName { get; }

    internal BlobClientOptions Options { get; }

    internal HttpPipeline Pipeline { get; }

    public virtual BlobContainerClient GetBlobContainerClient(string containerName)
    {
        StorageNames.ValidateContainer(containerName);
        return new BlobContainerClient(this, containerName);
    }

    public override string ToString() => $"BlobServiceClient({Uri})";

    /// <summary>Public cloud: the first host label; emulator / path-style: the first path segment.</summary>
    internal static string AccountNameFromUri(Uri uri)
    {
        var firstSegment = uri.AbsolutePath.Trim('/').Split('/')[0];
        if (uri.IsLoopback || System.Net.IPAddress.TryParse(uri.Host, out _))
        {
            return firstSegment;
        }

        return uri.Host.Split('.')[0];
    }
}
