using DataFirst.Core.Storage;
using DataFirst.Storage.Embedded;

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
    public static StorageAdapters Create(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Mode)
        {
            case StorageMode.SharedKey:
            case StorageMode.Token:
                throw new NotSupportedException("Storage: the Azure adapters arrive in the next commit of the storage branch.");

            default:
            {
                var root = Path.GetFullPath(options.DataDirectory ?? StorageOptions.DefaultDataDirectory);
                return new StorageAdapters(
                    new FileSystemBlobStore(Path.Combine(root, BlobsFolderName)),
                    new SqliteTableStore(Path.Combine(root, TablesFileName)),
                    StorageMode.Embedded);
            }
        }
    }
}
