using System.Diagnostics.Tracing;
using System.Security.Cryptography;
using System.Text;
using Azure.Core.Diagnostics;
using DataFirst.Core.Storage;
using DataFirst.Storage.Blobs;
using DataFirst.Storage.Tables;
using DataFirst.Testing.Azurite;

namespace DataFirst.Storage.Tests.Security;

/// <summary>Keys and connection strings never show in ToString(), exception messages or Azure.Core logs.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SecretRedactionTests(AzuriteFixture azurite)
{
    /// <summary>A random key that Azurite does not know (so requests fail with 403) and nothing else contains.</summary>
    private static readonly string WrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

    private string WrongConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AzuriteInstance.AccountName};AccountKey={WrongKey};BlobEndpoint={azurite.Instance.BlobEndpoint};TableEndpoint={azurite.Instance.TableEndpoint};";

    private static void ShouldNotLeak(string text)
    {
        text.Should().NotContain(WrongKey);
        text.Should().NotContain(WrongKey[..20], "not even a prefix of the key");
        text.Should().NotContain(AzuriteInstance.AccountKey[..20]);
        text.Should().NotContainEquivalentOf("AccountKey=" + WrongKey[..4]);
    }

    [Fact]
    public void ToString_OptionsConnectionStringCredentialClientsAndAdapters_NeverShowTheKey()
    {
        var options = new StorageOptions { ConnectionString = WrongConnectionString };
        var parsed = StorageConnectionString.Parse(WrongConnectionString);
        using var adapters = StorageFactory.Create(options);

        var texts = new[]
        {
            options.ToString(),
            parsed.ToString(),
            parsed.Credential.ToString(),
            new StorageSharedKeyCredential("acct", WrongKey).ToString(),
            new BlobServiceClient(WrongConnectionString).ToString(),
            new TableServiceClient(WrongConnectionString).ToString(),
            adapters.ToString(),
            adapters.Blobs.ToString()!,
            adapters.Tables.ToString()!,
        };

        foreach (var text in texts)
        {
            ShouldNotLeak(text);
        }

        options.ToString().Should().Contain("ConnectionString = ***");
        parsed.ToString().Should().Contain("AccountKey=***");
    }

    [Theory]
    [InlineData("AccountName=acct;AccountKey=not*base64*{0}")]
    [InlineData("AccountName=acct;AccountKey={0};BlobEndpoint=not a url")]
    [InlineData("AccountName=acct;AccountKey={0};SharedAccessSignature=sv=2020&sig={0}")]
    [InlineData("AccountKey={0}")]
    public void Parse_BadConnectionString_ErrorDoesNotEchoSecrets(string template)
    {
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, WrongKey);

        var act = () => StorageConnectionString.Parse(text);

        var error = act.Should().Throw<FormatException>().Which;
        ShouldNotLeak(error.ToString());
        error.ToString().Should().NotContain("sig=");
    }

    [Fact]
    public async Task Operations_WrongKey_ExceptionsAndLogsNeverShowKeyOrSignature()
    {
        var log = new StringBuilder();
        using (var listener = new AzureEventSourceListener((e, message) => { lock (log) { log.AppendLine(message); } }, EventLevel.Verbose))
        {
            using var adapters = StorageFactory.Create(new StorageOptions
            {
                ConnectionString = WrongConnectionString,
                BlobClientOptions = new BlobClientOptions { Retry = { MaxRetries = 0 }, Diagnostics = { IsLoggingEnabled = true } },
                TableClientOptions = new TableClientOptions { Retry = { MaxRetries = 0 } },
            });

            var blobError = await FluentActions.Awaiting(() => adapters.Blobs.CreateContainerIfNotExistsAsync("denied")).Should().ThrowAsync<StorageException>();
            var tableError = await FluentActions.Awaiting(() => adapters.Tables.CreateTableIfNotExistsAsync("Denied")).Should().ThrowAsync<StorageException>();

            blobError.Which.Kind.Should().Be(StorageErrorKind.Unauthorized);
            blobError.Which.ErrorCode.Should().Be("AuthorizationFailure");
            tableError.Which.Kind.Should().Be(StorageErrorKind.Unauthorized);
            ShouldNotLeak(blobError.Which.ToString());
            ShouldNotLeak(tableError.Which.ToString());
            blobError.Which.ToString().Should().NotContain("SharedKey devstoreaccount1:");
        }

        var logged = log.ToString();
        logged.Should().Contain("Authorization", "the request headers were logged (redacted)");
        ShouldNotLeak(logged);
        logged.Should().NotContain("SharedKey devstoreaccount1:");
    }
}
