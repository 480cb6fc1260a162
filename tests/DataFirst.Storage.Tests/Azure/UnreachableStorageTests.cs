using System.Net;
using System.Net.Sockets;
using DataFirst.Core.Storage;
using DataFirst.Storage.Blobs;
using DataFirst.Storage.Tables;

namespace DataFirst.Storage.Tests.Azure;

/// <summary>Storage that does not answer at all (nothing listening) fails with one storage error naming the operation
/// and the endpoint, after the retries, never with the retry policy's aggregate of transport errors.</summary>
public sealed class UnreachableStorageTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task BlobAndTableStores_NothingListening_FailWithOneStorageErrorNamingTheEndpoint()
    {
        var port = ClosedPort();
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var blobs = new AzureBlobStore(new BlobServiceClient(connection, new BlobClientOptions { Retry = { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) } }));
        var tables = new AzureTableStore(new TableServiceClient(connection, new TableClientOptions { Retry = { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) } }));

        var blob = (await FluentActions.Awaiting(() => blobs.CreateContainerIfNotExistsAsync("extracts")).Should().ThrowAsync<StorageException>()).Which;
        var table = (await FluentActions.Awaiting(() => tables.CreateTableIfNotExistsAsync("runs")).Should().ThrowAsync<StorageException>()).Which;

        blob.Message.Should().StartWith("Create container on 'extracts' failed: no response from http://127.0.0.1:" + port + " after 3 tries");
        table.Message.Should().StartWith("Create table on 'runs' failed: no response from http://127.0.0.1:" + port + " after 3 tries");
        foreach (var error in new[] { blob, table })
        {
            error.Status.Should().Be(0);
            error.Message.Should().NotContain(Key).And.NotContain("devstoreaccount1");
        }
    }
}
