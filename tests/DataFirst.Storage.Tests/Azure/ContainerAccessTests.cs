using System.Net;
using DataFirst.Core.Storage;
using DataFirst.Storage.Blobs;
using DataFirst.Testing.Azurite;

namespace DataFirst.Storage.Tests.Azure;

/// <summary>Containers are created private: anonymous requests cannot read or list them.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ContainerAccessTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task CreateContainerIfNotExistsAsync_Always_CreatesPrivateContainer()
    {
        var store = new AzureBlobStore(new BlobServiceClient(azurite.ConnectionString));
        await store.CreateContainerIfNotExistsAsync("private-share");
        await store.UploadBytesAsync("private-share", "catalogue.json", "{}"u8.ToArray());
        using var anonymous = new HttpClient();

        var blob = await anonymous.GetAsync(new Uri($"{azurite.Instance.BlobEndpoint}/private-share/catalogue.json"));
        var list = await anonymous.GetAsync(new Uri($"{azurite.Instance.BlobEndpoint}/private-share?restype=container&comp=list"));
        var properties = await anonymous.GetAsync(new Uri($"{azurite.Instance.BlobEndpoint}/private-share?restype=container"));

        blob.StatusCode.Should().NotBe(HttpStatusCode.OK);
        ((int)blob.StatusCode).Should().BeOneOf(401, 403, 404);
        list.StatusCode.Should().NotBe(HttpStatusCode.OK);
        properties.StatusCode.Should().NotBe(HttpStatusCode.OK);
        (await store.DownloadBytesAsync("private-share", "catalogue.json")).Should().Equal("{}"u8.ToArray());
    }
}
