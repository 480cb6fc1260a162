// Azure.Core 1.55 also ships a DefaultAzureCredential type; take Azure.Identity's by alias.
extern alias AzureIdentity;

using DataFirst.Core.Storage;
using DataFirst.Storage.Blobs;
using DataFirst.Storage.Embedded;
using DataFirst.Storage.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataFirst.Storage;

/// <summary>The blob store and table store picked by <see cref="StorageFactory.Create"/>.</summary>
public sealed class StorageAdapters(IBlobStore blobs, ITableStore tables, StorageMode mode) : IDisposable
{
    public IBlobStore Blobs { get; } = blobs;

    public ITableStore Tables { get; } = tables;

    public StorageMode Mode { get; } = mode;

    public void Dispose()
    {
        (Tables as IDisposable)?.Dispose();
        (Blobs as IDisposable)?.Dispose();
    }

    public override string ToString() => $"StorageAdapters({Mode}: {Blobs}, {Tables})";
}

/// <summary>Builds the storage adapters the configuration asks for.</summary>
public static class StorageFactory
{
    public const string BlobsFolderName = "blobs";
    public const string TablesFileName = "tables.db";

    /// <summary>
    /// No setting → embedded (folder + SQLite under the data directory); a connection string →
    /// Azure / Azurite with Shared Key; an account URL or name → token auth
    /// (<see cref="StorageOptions.Credential"/> or <c>DefaultAzureCredential</c>).
    /// </summary>
    public static StorageAdapters Create(StorageOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var adapters = CreateAdapters(options, loggerFactory);
        Log.AdaptersCreated(loggerFactory.CreateLogger(typeof(StorageFactory)), adapters.Mode, adapters.Blobs.ToString()!, adapters.Tables.ToString()!);
        return adapters;
    }

    private static StorageAdapters CreateAdapters(StorageOptions options, ILoggerFactory loggerFactory)
    {
        switch (options.Mode)
        {
            case StorageMode.SharedKey:
            {
                var connection = StorageConnectionString.Parse(options.ConnectionString!);
                var blobService = new BlobServiceClient(connection, options.BlobClientOptions);
                var tableService = new TableServiceClient(connection, options.TableClientOptions);
                return new StorageAdapters(new AzureBlobStore(blobService, loggerFactory.CreateLogger<AzureBlobStore>()), new AzureTableStore(tableService), StorageMode.SharedKey);
            }

            case StorageMode.Token:
            {
                var (blobUri, tableUri) = ResolveEndpoints(options);
                var credential = options.Credential ?? new AzureIdentity::Azure.Identity.DefaultAzureCredential();
                var blobService = new BlobServiceClient(blobUri, credential, options.BlobClientOptions);
                var tableService = new TableServiceClient(tableUri, credential, options.TableClientOptions);
                return new StorageAdapters(new AzureBlobStore(blobService, loggerFactory.CreateLogger<AzureBlobStore>()), new AzureTableStore(tableService), StorageMode.Token);
            }

            default:
            {
                var root = Path.GetFullPath(options.DataDirectory ?? StorageOptions.DefaultDataDirectory);
                return new StorageAdapters(
                    new FileSystemBlobStore(Path.Combine(root, BlobsFolderName), loggerFactory.CreateLogger<FileSystemBlobStore>()),
                    new SqliteTableStore(Path.Combine(root, TablesFileName)),
                    StorageMode.Embedded);
            }
        }
    }

    /// <summary>Blob and table endpoints for token auth: explicit, derived from the blob URL, or from the account name.</summary>
    internal static (Uri Blob, Uri Table) ResolveEndpoints(StorageOptions options)
    {
        var blob = options.BlobServiceUri ?? new Uri($"https://{options.AccountName}.blob.core.windows.net/");
        var table = options.TableServiceUri;
        if (table is null)
        {
            if (options.BlobServiceUri is null)
            {
                table = new Uri($"https://{options.AccountName}.table.core.windows.net/");
            }
            else if (blob.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase))
            {
                table = new UriBuilder(blob) { Host = blob.Host.Replace(".blob.", ".table.", StringComparison.OrdinalIgnoreCase) }.Uri;
            }
            else
            {
                throw new ArgumentException($"Storage: cannot derive the table endpoint from the blob endpoint '{blob.GetLeftPart(UriPartial.Authority)}'. Set {StorageOptions.SectionName}:TableServiceUri as well.", nameof(options));
            }
        }

        return (blob, table);
    }
}
