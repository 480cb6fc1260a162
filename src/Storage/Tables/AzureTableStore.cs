using Azure;
using DataFirst.Core.Storage;
using DataFirst.Storage.Http;

namespace DataFirst.Storage.Tables;

/// <summary>The table port over the Table REST API (Azure Storage or Azurite).</summary>
public sealed class AzureTableStore(TableServiceClient service) : ITableStore
{
    public const int MaxPageSize = 1000;

    public TableServiceClient Service { get; } = service ?? throw new ArgumentNullException(nameof(service));

    public override string ToString() => $"AzureTableStore({Service.Uri})";

    public async Task CreateTableIfNotExistsAsync(string table, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateTable(table);
        try
        {
            await Service.GetTableClient(table).CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Create table", table);
        }
    }

    public async Task<string> AddAsync(string table, TableEntity entity, CancellationToken cancellationToken = default)
    {
        TableRules.ValidateEntity(table, entity);
        try
        {
            var response = await Service.GetTableClient(table).AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return ETagOf(response);
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Insert entity", Describe(table, entity));
        }
    }

    public async Task<string> UpsertAsync(string table, TableEntity entity, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default)
    {
        TableRules.ValidateEntity(table, entity);
        try
        {
            var response = await Service.GetTableClient(table).UpsertEntityAsync(entity, mode, cancellationToken).ConfigureAwait(false);
            return ETagOf(response);
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Upsert entity", Describe(table, entity));
        }
    }

    public async Task<string> UpdateAsync(string table, TableEntity entity, string ifMatch, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default)
    {
        TableRules.ValidateEntity(table, entity);
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        try
        {
            var response = await Service.GetTableClient(table).UpdateEntityAsync(entity, new ETag(ifMatch), mode, cancellationToken).ConfigureAwait(false);
            return ETagOf(response);
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Update entity", Describe(table, entity));
        }
    }

    public async Task<TableEntity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateTable(table);
        StorageNames.ValidateKey(partitionKey, "PartitionKey");
        StorageNames.ValidateKey(rowKey, "RowKey");
        try
        {
            var response = await Service.GetTableClient(table).GetEntityIfExistsAsync(partitionKey, rowKey, cancellationToken).ConfigureAwait(false);
            return response.HasValue ? response.Value : null;
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Get entity", $"{table}({partitionKey}, {rowKey})");
        }
    }

    public async Task<TablePage> QueryAsync(string table, string partitionKey, TableQuery? query = null, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateTable(table);
        StorageNames.ValidateKey(partitionKey, "PartitionKey");
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"Page size must be between 1 and {MaxPageSize}.");
        }

        try
        {
            var response = await Service.GetTableClient(table).QueryAsync(TableFilter.ForPartition(partitionKey, query), pageSize, continuationToken, cancellationToken).ConfigureAwait(false);
            return response.Value;
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Query", $"{table}({partitionKey})");
        }
    }

    public async Task<bool> DeleteAsync(string table, string partitionKey, string rowKey, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateTable(table);
        StorageNames.ValidateKey(partitionKey, "PartitionKey");
        StorageNames.ValidateKey(rowKey, "RowKey");
        try
        {
            var response = await Service.GetTableClient(table).DeleteEntityAsync(partitionKey, rowKey, ifMatch is null ? ETag.All : new ETag(ifMatch), cancellationToken).ConfigureAwait(false);
            if (response.Status == 404)
            {
                var error = response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : null;
                if (error == "TableNotFound")
                {
                    throw new RequestFailedException(404, "Table not found.", error, null);
                }

                return false;
            }

            return true;
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, "Delete entity", $"{table}({partitionKey}, {rowKey})");
        }
    }

    public async Task SubmitTransactionAsync(string table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateTable(table);
        ArgumentNullException.ThrowIfNull(actions);
        TableRules.ValidateBatch(actions);
        foreach (var action in actions)
        {
            TableRules.ValidateEntity(table, action.Entity);
        }

        try
        {
            await Service.GetTableClient(table).SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            throw AzureStorageErrors.ToStorageException(ex, $"Batch of {actions.Count} actions", $"{table}({actions[0].Entity.PartitionKey})");
        }
    }

    private static string ETagOf(Response response) =>
        response.Headers.TryGetValue("ETag", out var etag) ? etag : throw new RequestFailedException(response.Status, "The table service returned no ETag.", "MissingETag", null);

    private static string Describe(string table, TableEntity entity) => $"{table}({entity.PartitionKey}, {entity.RowKey})";
}
