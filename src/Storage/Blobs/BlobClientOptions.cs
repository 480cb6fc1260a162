using Azure.Core;
using DataFirst.Storage.Http;

namespace DataFirst.Storage.Blobs;

/// <summary>Options of the blob clients: Azure.Core pipeline settings plus transfer sizes.</summary>
public sealed class BlobClientOptions : ClientOptions
{
    /// <summary>The REST API version sent as <c>x-ms-version</c>.</summary>
    public const string ServiceVersion = "2024-11-04";

    public BlobClientOptions()
    {
        StoragePipeline.ConfigureDiagnostics(this);
    }

    /// <summary>Content up to this size goes in one Put Blob; larger content in blocks (Put Block + Put Block List).</summary>
    public int SingleUploadThreshold { get; set; } = 8 * 1024 * 1024;

    /// <summary>Size of each block of a block upload (memory held per upload is one block).</summary>
    public int BlockSize { get; set; } = 4 * 1024 * 1024;

    internal void Validate()
    {
        if (SingleUploadThreshold < 1 || SingleUploadThreshold > 256 * 1024 * 1024 || BlockSize < 1 || BlockSize > 256 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), "SingleUploadThreshold and BlockSize must be between 1 byte and 256 MiB (each is held in memory during an upload).");
        }
    }
}
