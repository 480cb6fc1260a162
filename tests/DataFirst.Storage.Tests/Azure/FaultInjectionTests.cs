using Azure;
using Azure.Core.Pipeline;
using DataFirst.Core.Storage;
using DataFirst.Storage.Blobs;
using DataFirst.Storage.Tables;
using DataFirst.Storage.Tests.Support;
using DataFirst.Testing.Azurite;

namespace DataFirst.Storage.Tests.Azure;

/// <summary>
/// Faults injected between the pipeline and Azurite: transient ones (500, 503, timeouts) are
/// retried by the Azure.Core retry policy and succeed; 409 / 412 surface at once; a failed block
/// upload leaves no blob visible.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FaultInjectionTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly FaultInjectingHandler _handler = new();
    private readonly string _container = "faults-" + Guid.NewGuid().ToString("N")[..12];
    private AzureBlobStore _blobs = null!;
    private AzureTableStore _tables = null!;

    public async Task InitializeAsync()
    {
        var blobOptions = new BlobClientOptions
        {
            Transport = new HttpClientTransport(_handler),
            SingleUploadThreshold = 256 * 1024,
            BlockSize = 256 * 1024,
            Retry = { MaxRetries = 3, Delay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50), NetworkTimeout = TimeSpan.FromSeconds(1) },
        };
        var tableOptions = new TableClientOptions
        {
            Transport = new HttpClientTransport(_handler),
            Retry = { MaxRetries = 3, Delay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50), NetworkTimeout = TimeSpan.FromSeconds(1) },
        };
        _blobs = new AzureBlobStore(new BlobServiceClient(azurite.ConnectionString, blobOptions));
        _tables = new AzureTableStore(new TableServiceClient(azurite.ConnectionString, tableOptions));
        await _blobs.CreateContainerIfNotExistsAsync(_container);
    }

    public Task DisposeAsync()
    {
        _handler.Dispose();
        return Task.CompletedTask;
    }

    private static bool IsPut(HttpRequestMessage r) => r.Method == HttpMethod.Put;

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task UploadAsync_TransientStatusTwice_IsRetriedAndSucceeds(int status)
    {
        var counter = new AttemptCounter();
        _handler.Fault = r => IsPut(r) && r.RequestUri!.AbsolutePath.EndsWith("/retry.txt", StringComparison.Ordinal) && counter.Next("put") <= 2 ? status : null;

        await _blobs.UploadBytesAsync(_container, "retry.txt", "survived"u8.ToArray());

        (await _blobs.DownloadBytesAsync(_container, "retry.txt")).Should().Equal("survived"u8.ToArray());
        _handler.Attempts.Count(a => a.Method == "PUT" && a.PathAndQuery.Contains("/retry.txt", StringComparison.Ordinal)).Should().Be(3);
    }

    [Fact]
    public async Task OpenReadAsync_FirstAttemptTimesOut_IsRetriedAndSucceeds()
    {
        await _blobs.UploadBytesAsync(_container, "slow.txt", "eventually"u8.ToArray());
        var counter = new AttemptCounter();
        _handler.Fault = r => r.Method == HttpMethod.Get && counter.Next("get") == 1 ? FaultInjectingHandler.Hang : null;

        var content = await _blobs.DownloadBytesAsync(_container, "slow.txt");

        content.Should().Equal("eventually"u8.ToArray());
        _handler.Attempts.Count(a => a.Method == "GET").Should().Be(2);
    }

    [Fact]
    public async Task AddAsync_Table500Once_IsRetriedAndSucceeds()
    {
        await _tables.CreateTableIfNotExistsAsync("Faults");
        var counter = new AttemptCounter();
        _handler.Fault = r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath.EndsWith("/Faults", StringComparison.Ordinal) && counter.Next("post") == 1 ? 500 : null;
        var key = Guid.NewGuid().ToString("N");

        await _tables.AddAsync("Faults", new TableEntity("p", key));

        (await _tables.GetAsync("Faults", "p", key)).Should().NotBeNull();
        counter.Next("post").Should().Be(3, "one failed and one successful attempt were made before");
    }

    [Theory]
    [InlineData(409, StorageErrorKind.Conflict)]
    [InlineData(412, StorageErrorKind.PreconditionFailed)]
    public async Task UploadAsync_ConflictOrPreconditionStatus_SurfacesAtOnceWithoutRetry(int status, StorageErrorKind kind)
    {
        _handler.Fault = r => IsPut(r) && r.RequestUri!.AbsolutePath.EndsWith("/once.txt", StringComparison.Ordinal) ? status : null;

        var act = () => _blobs.UploadBytesAsync(_container, "once.txt", "x"u8.ToArray());

        var error = (await act.Should().ThrowAsync<StorageException>()).Which;
        error.Kind.Should().Be(kind);
        error.Status.Should().Be(status);
        error.InnerException.Should().BeOfType<RequestFailedException>().Which.ErrorCode.Should().Be(status == 409 ? "BlobAlreadyExists" : "ConditionNotMet");
        _handler.Attempts.Count(a => a.Method == "PUT" && a.PathAndQuery.Contains("/once.txt", StringComparison.Ordinal)).Should().Be(1);
    }

    [Fact]
    public async Task BlobClient_ServiceError_SurfacesRequestFailedExceptionWithErrorCode()
    {
        var client = _blobs.Service.GetBlobContainerClient(_container).GetBlobClient("absent.txt");

        var act = () => client.GetPropertiesAsync();

        var error = (await act.Should().ThrowAsync<RequestFailedException>()).Which;
        error.Status.Should().Be(404);
        error.ErrorCode.Should().Be("BlobNotFound");
    }

    [Fact]
    public async Task TableClient_ServiceError_SurfacesRequestFailedExceptionWithErrorCode()
    {
        await _tables.CreateTableIfNotExistsAsync("Codes");
        var client = _tables.Service.GetTableClient("Codes");
        await client.AddEntityAsync(new TableEntity("p", "dup"));

        var act = () => client.AddEntityAsync(new TableEntity("p", "dup"));

        var error = (await act.Should().ThrowAsync<RequestFailedException>()).Which;
        error.Status.Should().Be(409);
        error.ErrorCode.Should().Be("EntityAlreadyExists");
    }

    [Fact]
    public async Task UploadAsync_CommitAlwaysFails_LeavesNoBlobVisible()
    {
        _handler.Fault = r => IsPut(r) && r.RequestUri!.Query.Contains("comp=blocklist", StringComparison.Ordinal) ? 503 : null;
        await using var source = new SeededStream(1024 * 1024, seed: 11);

        var act = () => _blobs.UploadAsync(_container, "partial.bin", source);

        (await act.Should().ThrowAsync<StorageException>()).Which.Status.Should().Be(503);
        _handler.Fault = null;
        _handler.Attempts.Count(a => a.PathAndQuery.Contains("comp=block&", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(4, "blocks were staged before the commit failed");
        _handler.Attempts.Count(a => a.PathAndQuery.Contains("comp=blocklist", StringComparison.Ordinal)).Should().Be(4, "the commit was tried once and retried 3 times");
        (await _blobs.GetPropertiesAsync(_container, "partial.bin")).Should().BeNull();
        (await _blobs.ListPageAsync(_container, "partial")).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task UploadAsync_ABlockAlwaysFails_LeavesPreviousVersionIntact()
    {
        var original = await _blobs.UploadBytesAsync(_container, "versioned.bin", "v1"u8.ToArray());
        var counter = new AttemptCounter();
        _handler.Fault = r => IsPut(r) && r.RequestUri!.Query.Contains("comp=block&", StringComparison.Ordinal) && counter.Next("block") >= 3 ? 500 : null;
        await using var source = new SeededStream(1024 * 1024, seed: 12);

        var act = () => _blobs.UploadAsync(_container, "versioned.bin", source);

        await act.Should().ThrowAsync<StorageException>();
        _handler.Fault = null;
        (await _blobs.DownloadBytesAsync(_container, "versioned.bin")).Should().Equal("v1"u8.ToArray());
        (await _blobs.GetPropertiesAsync(_container, "versioned.bin"))!.ETag.Should().Be(original.ETag);
    }
}
