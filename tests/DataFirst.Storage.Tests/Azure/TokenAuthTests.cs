using Azure.Core.Pipeline;
using DataFirst.Core.Storage;
using DataFirst.Storage.Blobs;
using DataFirst.Storage.Tables;
using DataFirst.Storage.Tests.Support;
using DataFirst.Testing.Azurite;

namespace DataFirst.Storage.Tests.Azure;

/// <summary>
/// Token auth (BearerTokenAuthenticationPolicy, scope https://storage.azure.com/.default) against
/// an Azurite of its own with HTTPS (a self-signed certificate made at test time, trusted by
/// thumbprint in the transport) and <c>--oauth basic</c>.
/// </summary>
public sealed class TokenAuthTests(OAuthAzuriteFixture fixture) : IClassFixture<OAuthAzuriteFixture>
{
    private AzuriteInstance Azurite => fixture.Instance;

    private StorageAdapters Create(TestJwtCredential credential) => StorageFactory.Create(new StorageOptions
    {
        BlobServiceUri = Azurite.BlobEndpoint,
        TableServiceUri = Azurite.TableEndpoint,
        Credential = credential,
        BlobClientOptions = new BlobClientOptions { Transport = new HttpClientTransport(Azurite.CreateHttpHandler()), Retry = { MaxRetries = 1 } },
        TableClientOptions = new TableClientOptions { Transport = new HttpClientTransport(Azurite.CreateHttpHandler()), Retry = { MaxRetries = 1 } },
    });

    [Fact]
    public async Task Create_AccountUrlAndTokenCredential_BlobAndTableRoundTripOverHttps()
    {
        var credential = new TestJwtCredential();
        using var storage = Create(credential);

        await storage.Blobs.CreateContainerIfNotExistsAsync("secure");
        await storage.Blobs.UploadBytesAsync("secure", "a b/ü.txt", "hello"u8.ToArray());
        var content = await storage.Blobs.DownloadBytesAsync("secure", "a b/ü.txt");
        await storage.Tables.CreateTableIfNotExistsAsync("Runs");
        var etag = await storage.Tables.AddAsync("Runs", new TableEntity("p", "r") { Properties = new Dictionary<string, object?> { ["Count"] = 5L } });
        var entity = await storage.Tables.GetAsync("Runs", "p", "r");

        storage.Mode.Should().Be(StorageMode.Token);
        Azurite.Scheme.Should().Be("https");
        content.Should().Equal("hello"u8.ToArray());
        entity!.ETag.Should().Be(etag);
        entity.GetInt64("Count").Should().Be(5);
        credential.RequestedScopes.Should().NotBeEmpty().And.OnlyContain(s => s == "https://storage.azure.com/.default");
    }

    [Fact]
    public async Task UploadAsync_ExpiredToken_ThrowsUnauthorized()
    {
        using var storage = Create(new TestJwtCredential(lifetime: TimeSpan.FromHours(-1)));

        var act = () => storage.Blobs.CreateContainerIfNotExistsAsync("expired");

        var error = (await act.Should().ThrowAsync<StorageException>()).Which;
        error.Kind.Should().Be(StorageErrorKind.Unauthorized);
        error.Status.Should().BeOneOf(401, 403);
        error.ErrorCode.Should().Be("AuthenticationFailed");
    }

    [Fact]
    public async Task AddAsync_TokenForAnotherAudience_ThrowsUnauthorized()
    {
        using var storage = Create(new TestJwtCredential(audience: "https://vault.azure.net"));

        var act = () => storage.Tables.CreateTableIfNotExistsAsync("Wrong");

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.Unauthorized);
    }
}

/// <summary>One HTTPS + OAuth Azurite for the token tests.</summary>
public sealed class OAuthAzuriteFixture : IAsyncLifetime
{
    private AzuriteInstance? _instance;

    public AzuriteInstance Instance => _instance ?? throw new InvalidOperationException("Azurite has not started.");

    public async Task InitializeAsync() => _instance = await AzuriteInstance.StartAsync(new AzuriteOptions { OAuth = true });

    public async Task DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }
    }
}
