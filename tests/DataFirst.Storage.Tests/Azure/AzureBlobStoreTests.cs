using DataFirst.Core.Storage;
using DataFirst.Storage.Blobs;
using DataFirst.Storage.Tests.Contracts;
using DataFirst.Testing.Azurite;
using Xunit.Abstractions;

namespace DataFirst.Storage.Tests.Azure;

/// <summary>The blob contract against Azurite (Blob REST over Azure.Core, Shared Key).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreTests(AzuriteFixture azurite, ITestOutputHelper output) : BlobStoreContractTests(output)
{
    /// <summary>Small transfer sizes so that the multi-block path runs on a few MiB.</summary>
    internal static BlobClientOptions SmallBlocks() => new()
    {
        SingleUploadThreshold = 1024 * 1024,
        BlockSize = 1024 * 1024,
        Retry = { Delay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(100) },
    };

    protected override Task<IBlobStore> CreateStoreAsync() =>
        Task.FromResult<IBlobStore>(new AzureBlobStore(new BlobServiceClient(azurite.ConnectionString, SmallBlocks())));
}
