namespace DataFirst.Core.Storage;

/// <summary>
/// A table store held in memory: for unit tests and throw-away runs. Same semantics as the other
/// adapters (ETags, conditional writes, atomic partition transactions, row-key ordered paging).
/// </summary>
public sealed class InMemoryTableStore : ITableStore
{
    private readonly Dictionary<string, SortedDictionary<(string Pk, string Rk), TableEntity>> _tables = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _version;

    public Task CreateTableIfNotExistsAsync(string table, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _tables.TryAdd(table, new SortedDictionary<(string, string), TableEntity>(KeyComparer.Instance));
        }

        return Task.CompletedTask;
    }

    public Task<string> AddAsync(string table, TableEntity entity, CancellationToken cancellationToken = default) =>
        Task.FromResult(Apply(table, [new TableTransactionAction(TableTransactionActionType.Add, entity)])[0]);

    public Task<string> UpsertAsync(string table, TableEntity entity, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default) =>
        Task.FromResult(Apply(table, [new TableTransactionAction(mode == TableUpdateMode.Replace ? TableTransactionActionType.UpsertReplace : TableTransactionActionType.UpsertMerge, entity)])[0]);

    public Task<string> UpdateAsync(string table, TableEntity entity, string ifMatch, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default) =>
        Task.FromResult(Apply(table, [new TableTransactionAction(mode == TableUpdateMode.Replace ? TableTransactionActionType.UpdateReplace : TableTransactionActionType.UpsertMerge, entity, ifMatch)])[0]);

    public Task<TableEntity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Table(table).TryGetValue((partitionKey, rowKey), out var e) ? e : null);
        }
    }

    public Task<TablePage> QueryAsync(string table, string partitionKey, TableQuery? query = null, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        var size = pageSize ?? 1000;
        lock (_gate)
        {
            var rows = Table(table).Values
                .Where(e => e.PartitionKey == partitionKey)
                .Where(e => continuationToken is null || string.CompareOrdinal(e.RowKey, continuationToken) >= 0)
                .Where(e => Matches(e, query))
                .Take(size + 1)
                .ToList();
            var next = rows.Count > size ? rows[size].RowKey : null;
            return Task.FromResult(new TablePage(rows.Take(size).ToList(), next));
        }
    }

    public Task<bool> DeleteAsync(string table, string partitionKey, string rowKey, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var t = Table(table);
            if (!t.TryGetValue((partitionKey, rowKey), out var existing))
            {
                return Task.FromResult(false);
            }

            CheckETag(existing, ifMatch);
            t.Remove((partitionKey, rowKey));
            return Task.FromResult(true);
        }
    }

    public Task SubmitTransactionAsync(string table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        if (actions.Select(a => a.Entity.PartitionKey).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw new StorageException(StorageErrorKind.Other, 400, "CommandsInBatchActOnDifferentPartitions", "A transaction must act on one partition.");
        }

        Apply(table, actions);
        return Task.CompletedTask;
    }

    private string[] Apply(string table, IReadOnlyList<TableTransactionAction> actions)
    {
        lock (_gate)
        {
            var t = Table(table);
            var staged = new Dictionary<(string, string), TableEntity?>();
            var etags = new string[actions.Count];
            for (var i = 0; i < actions.Count; i++)
            {
                var a = actions[i];
                var key = (a.Entity.PartitionKey, a.Entity.RowKey);
                var current = staged.TryGetValue(key, out var s) ? s : t.GetValueOrDefault(key);
                var etag = $"W/\"{Interlocked.Increment(ref _version)}\"";
                etags[i] = etag;
                switch (a.Type)
                {
                    case TableTransactionActionType.Add when current is not null:
                        throw new StorageException(StorageErrorKind.Conflict, 409, "EntityAlreadyExists", $"Entity ({a.Entity.PartitionKey}, {a.Entity.RowKey}) already exists in table '{table}'.");
                    case TableTransactionActionType.Add:
                    case TableTransactionActionType.UpsertReplace:
                        staged[key] = a.Entity with { ETag = etag, Timestamp = DateTimeOffset.UtcNow };
                        break;
                    case TableTransactionActionType.UpsertMerge:
                        if (a.IfMatch is not null)
                        {
                            RequireExisting(table, current, a);
                            CheckETag(current!, a.IfMatch);
                        }

                        staged[key] = Merge(current, a.Entity) with { ETag = etag, Timestamp = DateTimeOffset.UtcNow };
                        break;
                    case TableTransactionActionType.UpdateReplace:
                        RequireExisting(table, current, a);
                        CheckETag(current!, a.IfMatch);
                        staged[key] = a.Entity with { ETag = etag, Timestamp = DateTimeOffset.UtcNow };
                        break;
                    case TableTransactionActionType.Delete:
                        RequireExisting(table, current, a);
                        CheckETag(current!, a.IfMatch);
                        staged[key] = null;
                        break;
                }
            }

            foreach (var (key, value) in staged)
            {
                if (value is null)
                {
                    t.Remove(key);
                }
                else
                {
                    t[key] = value;
                }
            }

            return etags;
        }
    }

    private static TableEntity Merge(TableEntity? current, TableEntity update)
    {
        if (current is null)
        {
            return update;
        }

        var props = new Dictionary<string, object?>(current.Properties, StringComparer.Ordinal);
        foreach (var (k, v) in update.Properties)
        {
            props[k] = v;
        }

        return update with { Properties = props };
    }

    private static void RequireExisting(string table, TableEntity? current, TableTransactionAction a)
    {
        if (current is null)
        {
            throw new StorageException(StorageErrorKind.NotFound, 404, "ResourceNotFound", $"Entity ({a.Entity.PartitionKey}, {a.Entity.RowKey}) does not exist in table '{table}'.");
        }
    }

    private static void CheckETag(TableEntity current, string? ifMatch)
    {
        if (ifMatch is not null && ifMatch != "*" && current.ETag != ifMatch)
        {
            throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "UpdateConditionNotSatisfied", $"Entity ({current.PartitionKey}, {current.RowKey}) has changed (ETag mismatch).");
        }
    }

    private static bool Matches(TableEntity e, TableQuery? q)
    {
        if (q is null)
        {
            return true;
        }

        if (q.RowKeyFrom is not null && string.CompareOrdinal(e.RowKey, q.RowKeyFrom) < 0)
        {
            return false;
        }

        if (q.RowKeyTo is not null && string.CompareOrdinal(e.RowKey, q.RowKeyTo) >= 0)
        {
            return false;
        }

        return q.PropertyEquals is null || q.PropertyEquals.All(kv => e.Properties.TryGetValue(kv.Key, out var v) && Equals(Normalise(v), Normalise(kv.Value)));
    }

    private static object? Normalise(object? v) => v is int i ? (long)i : v;

    private SortedDictionary<(string Pk, string Rk), TableEntity> Table(string table) =>
        _tables.TryGetValue(table, out var t) ? t : throw new StorageException(StorageErrorKind.NotFound, 404, "TableNotFound", $"Table '{table}' does not exist.");

    private sealed class KeyComparer : IComparer<(string Pk, string Rk)>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare((string Pk, string Rk) x, (string Pk, string Rk) y)
        {
            var c = string.CompareOrdinal(x.Pk, y.Pk);
            return c != 0 ? c : string.CompareOrdinal(x.Rk, y.Rk);
        }
    }
}
