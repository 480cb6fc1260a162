using DataFirst.Core.Storage;
using DataFirst.Storage.Blobs;
using DataFirst.Storage.Tests.Contracts;
using DataFirst.Testing.Azurite;
using Xunit.Abstractions;

namespace DataFirst.Storage.Tests.Azure;

/// <summary>Default transfer sizes (8 MiB single-upload threshold, 4 MiB blocks).</summary>
[Collection(LargeDataCollection.Name)]
public sealed class AzureLargeBlobTransferTests(AzuriteFixture azurite, ITestOutputHelper output) : LargeBlobTransferTests(output)
{
    protected override IBlobStore CreateStore() => new AzureBlobStore(new BlobServiceClient(azurite.ConnectionString));
}
