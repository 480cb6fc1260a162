using DataFirst.Storage.Blobs;
using DataFirst.Storage.Embedded;
using DataFirst.Storage.Tables;
using DataFirst.Storage.Tests.Support;

namespace DataFirst.Storage.Tests;

public sealed class StorageFactoryTests
{
    [Fact]
    public async Task Create_NoSetting_ReturnsEmbeddedAdaptersUnderDataDirectory()
    {
        using var temp = new TempDirectory();

        using (var adapters = StorageFactory.Create(new StorageOptions { DataDirectory = temp.Path }))
        {
            await adapters.Tables.CreateTableIfNotExistsAsync("Runs");

            adapters.Mode.Should().Be(StorageMode.Embedded);
            adapters.Blobs.Should().BeOfType<FileSystemBlobStore>().Which.RootDirectory.Should().Be(Path.Combine(temp.Path, "blobs"));
            adapters.Tables.Should().BeOfType<SqliteTableStore>().Which.DatabasePath.Should().Be(Path.Combine(temp.Path, "tables.db"));
        }

        File.Exists(Path.Combine(temp.Path, "tables.db")).Should().BeTrue();
    }

    [Fact]
    public void Create_DevelopmentStorage_ReturnsSharedKeyAdaptersOnAzuriteDefaultPorts()
    {
        using var adapters = StorageFactory.Create(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true" });

        adapters.Mode.Should().Be(StorageMode.SharedKey);
        adapters.Blobs.Should().BeOfType<AzureBlobStore>().Which.Service.Uri.Should().Be(new Uri("http://127.0.0.1:10000/devstoreaccount1"));
        adapters.Tables.Should().BeOfType<AzureTableStore>().Which.Service.Uri.Should().Be(new Uri("http://127.0.0.1:10002/devstoreaccount1"));
    }

    [Fact]
    public void Create_AccountUrlAndCredential_ReturnsTokenAdaptersWithDerivedTableEndpoint()
    {
        using var adapters = StorageFactory.Create(new StorageOptions { BlobServiceUri = new Uri("https://acct.blob.core.windows.net/"), Credential = new TestJwtCredential() });

        adapters.Mode.Should().Be(StorageMode.Token);
        adapters.Tables.Should().BeOfType<AzureTableStore>().Which.Service.Uri.Should().Be(new Uri("https://acct.table.core.windows.net"));
        adapters.Blobs.Should().BeOfType<AzureBlobStore>().Which.Service.AccountName.Should().Be("acct");
    }

    [Fact]
    public void Create_AccountNameOnly_DerivesPublicCloudEndpoints()
    {
        using var adapters = StorageFactory.Create(new StorageOptions { AccountName = "datafirstprod", Credential = new TestJwtCredential() });

        adapters.Blobs.Should().BeOfType<AzureBlobStore>().Which.Service.Uri.Should().Be(new Uri("https://datafirstprod.blob.core.windows.net"));
        adapters.Tables.Should().BeOfType<AzureTableStore>().Which.Service.Uri.Should().Be(new Uri("https://datafirstprod.table.core.windows.net"));
    }

    [Fact]
    public void Create_BlobUrlWithoutTableUrlOnCustomHost_ThrowsNamingTheSetting()
    {
        var act = () => StorageFactory.Create(new StorageOptions { BlobServiceUri = new Uri("https://127.0.0.1:10000/devstoreaccount1"), Credential = new TestJwtCredential() });

        act.Should().Throw<ArgumentException>().WithMessage("*TableServiceUri*");
    }

    [Fact]
    public void Create_ConnectionStringWithEndpoints_UsesThem()
    {
        const string connection = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net";

        using var adapters = StorageFactory.Create(new StorageOptions { ConnectionString = connection });

        adapters.Blobs.Should().BeOfType<AzureBlobStore>().Which.Service.Uri.Should().Be(new Uri("https://acct.blob.core.windows.net"));
    }
}
