namespace DataFirst.Core.Storage;

/// <summary>
/// The table storage port (Azure Table semantics). Implemented by the Azure Table adapter and by
/// the SQLite adapter (the embedded default). Property values are string, long, int, double, bool,
/// DateTimeOffset, Guid or byte[]; null values are omitted.
/// </summary>
public interface ITableStore
{
    Task CreateTableIfNotExistsAsync(string table, CancellationToken cancellationToken = default);

    /// <summary>Inserts; <see cref="StorageErrorKind.Conflict"/> if the key exists. Returns the new ETag.</summary>
    Task<string> AddAsync(string table, TableEntity entity, CancellationToken cancellationToken = default);

    /// <summary>Insert or replace / merge. Returns the new ETag.</summary>
    Task<string> UpsertAsync(string table, TableEntity entity, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default);

    /// <summary>Update an existing entity if its ETag equals <paramref name="ifMatch"/> ("*" for any).</summary>
    Task<string> UpdateAsync(string table, TableEntity entity, string ifMatch, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default);

    /// <summary>The entity, or null when absent.</summary>
    Task<TableEntity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default);

    /// <summary>One page of a partition's entities in row-key order, optionally filtered.</summary>
    Task<TablePage> QueryAsync(string table, string partitionKey, TableQuery? query = null, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes; with an ETag, conditional (<see cref="StorageErrorKind.PreconditionFailed"/> when stale). False when absent.</summary>
    Task<bool> DeleteAsync(string table, string partitionKey, string rowKey, string? ifMatch = null, CancellationToken cancellationToken = default);

    /// <summary>All actions within one partition, atomically: all succeed or none is applied.</summary>
    Task SubmitTransactionAsync(string table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default);
}

public enum TableUpdateMode
{
    Replace,
    Merge,
}

public enum TableTransactionActionType
{
    Add,
    UpsertReplace,
    UpsertMerge,
    UpdateReplace,
    Delete,
}

public sealed record TableTransactionAction(TableTransactionActionType Type, TableEntity Entity, string? IfMatch = null);

/// <summary>A partition query's filter: row-key range and property equality, applied server side.</summary>
public sealed record TableQuery
{
    /// <summary>Inclusive lower bound on RowKey.</summary>
    public string? RowKeyFrom { get; init; }

    /// <summary>Exclusive upper bound on RowKey.</summary>
    public string? RowKeyTo { get; init; }

    /// <summary>Properties that must equal the given values (string, long, int, bool).</summary>
    public IReadOnlyDictionary<string, object>? PropertyEquals { get; init; }
}

public sealed record TablePage(IReadOnlyList<TableEntity> Items, string? ContinuationToken);

public sealed record TableEntity(string PartitionKey, string RowKey)
{
    public IReadOnlyDictionary<string, object?> Properties { get; init; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    public string? ETag { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    public string? GetString(string name) => Properties.TryGetValue(name, out var v) ? v as string : null;

    public long? GetInt64(string name) => Properties.TryGetValue(name, out var v) && v is not null ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : null;
}
