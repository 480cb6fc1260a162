using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using DataFirst.Storage.Blobs;
using DataFirst.Storage.Http;

namespace DataFirst.Storage.Tables;

/// <summary>
/// The Table service of one storage account, over Azure.Core's <see cref="HttpPipeline"/>.
/// Shaped like Azure.Data.Tables' <c>TableServiceClient</c>.
/// </summary>
public class TableServiceClient
{
    public TableServiceClient(string connectionString, TableClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options)
    {
    }

    public TableServiceClient(StorageConnectionString connectionString, TableClientOptions? options = null)
        : this(connectionString.TableEndpoint, connectionString.Credential, null, options)
    {
    }

    public TableServiceClient(Uri endpoint, StorageSharedKeyCredential credential, TableClientOptions? options = null)
        : this(endpoint, credential ?? throw new ArgumentNullException(nameof(credential)), null, options)
    {
    }

    /// <summary>Token auth (Microsoft Entra ID) with scope https://storage.azure.com/.default; needs HTTPS.</summary>
    public TableServiceClient(Uri endpoint, TokenCredential credential, TableClientOptions? options = null)
        : this(endpoint, null, credential ?? throw new ArgumentNullException(nameof(credential)), options)
    {
    }

    private TableServiceClient(Uri endpoint, StorageSharedKeyCredential? sharedKey, TokenCredential? token, TableClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Options = options ?? new TableClientOptions();
        Uri = new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/'));
        AccountName = sharedKey?.AccountName ?? BlobServiceClient.AccountNameFromUri(Uri);
        Pipeline = StoragePipeline.Build(Options, sharedKey, token, SharedKeyService.Table);
    }

    /// <summary>For mocking.</summary>
    protected TableServiceClient()
    {
        Uri = new Uri("https://localhost/");
        AccountName = string.Empty;
        Options = new TableClientOptions();
        Pipeline = HttpPipelineBuilder.Build(Options);
    }

    public Uri Uri { get; }

    public string AccountName { get; }

    internal TableClientOptions Options { get; }

    internal HttpPipeline Pipeline { get; }

    public virtual TableClient GetTableClient(string tableName)
    {
        StorageNames.ValidateTable(tableName);
        return new TableClient(this, tableName);
    }

    /// <summary>Creates the table unless it exists; true when created.</summary>
    public virtual Task<Response<bool>> CreateTableIfNotExistsAsync(string tableName, CancellationToken cancellationToken = default) =>
        GetTableClient(tableName).CreateIfNotExistsAsync(cancellationToken);

    public override string ToString() => $"TableServiceClient({Uri})";
}
