using DataFirst.Core.Storage;

namespace DataFirst.Core.Tests.Fakes;

/// <summary>An in-memory <see cref="ITableStore"/> with Azure Table semantics (Conflict on Add, ETag checks, atomic batches).</summary>
public sealed class InMemoryTableStore : ITableStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<(string Pk, string Rk), TableEntity>> _tables = new(StringComparer.Ordinal);
    private long _etag;

    public Task CreateTableIfNotExistsAsync(string table, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_tables.ContainsKey(table))
            {
                _tables[table] = new SortedDictionary<(string, string), TableEntity>(Comparer<(string Pk, string Rk)>.Create((a, b) =>
                {
                    var c = string.CompareOrdinal(a.Pk, b.Pk);
                    return c != 0 ? c : string.CompareOrdinal(a.Rk, b.Rk);
                }));
            }
        }

        return Task.CompletedTask;
    }

    public Task<string> AddAsync(string table, TableEntity entity, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Apply(Table(table), new TableTransactionAction(TableTransactionActionType.Add, entity)));
        }
    }

    public Task<string> UpsertAsync(string table, TableEntity entity, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Apply(Table(table), new TableTransactionAction(mode == TableUpdateMode.Replace ? TableTransactionActionType.UpsertReplace : TableTransactionActionType.UpsertMerge, entity)));
        }
    }

    public Task<string> UpdateAsync(string table, TableEntity entity, string ifMatch, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var t = Table(table);
            if (mode == TableUpdateMode.Merge)
            {
                Check(t, entity, ifMatch);
                var merged = Merge(t[(entity.PartitionKey, entity.RowKey)], entity);
                return Task.FromResult(Store(t, merged));
            }

            return Task.FromResult(Apply(t, new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, ifMatch)));
        }
    }

    public Task<TableEntity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Table(table).TryGetValue((partitionKey, rowKey), out var e) ? e : null);
        }
    }

    public Task<TablePage> QueryAsync(string table, string partitionKey, TableQuery? query = null, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var size = pageSize ?? 1000;
            var items = Table(table).Values
                .Where(e => e.PartitionKey == partitionKey)
                .Where(e => continuationToken is null || string.CompareOrdinal(e.RowKey, continuationToken) > 0)
                .Where(e => query?.RowKeyFrom is null || string.CompareOrdinal(e.RowKey, query.RowKeyFrom) >= 0)
                .Where(e => query?.RowKeyTo is null || string.CompareOrdinal(e.RowKey, query.RowKeyTo) < 0)
                .Where(e => query?.PropertyEquals is null || query.PropertyEquals.All(p => e.Properties.TryGetValue(p.Key, out var v) && Equals(v, p.Value)))
                .Take(size + 1)
                .ToList();
            var more = items.Count > size;
            if (more)
            {
                items.RemoveAt(items.Count - 1);
            }

            return Task.FromResult(new TablePage(items, more ? items[^1].RowKey : null));
        }
    }

    public Task<bool> DeleteAsync(string table, string partitionKey, string rowKey, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var t = Table(table);
            if (!t.TryGetValue((partitionKey, rowKey), out var e))
            {
                return Task.FromResult(false);
            }

            if (ifMatch is not null && ifMatch != "*" && e.ETag != ifMatch)
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "UpdateConditionNotSatisfied", "The entity's ETag does not match.");
            }

            t.Remove((partitionKey, rowKey));
            return Task.FromResult(true);
        }
    }

    public Task SubmitTransactionAsync(string table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var t = Table(table);
            if (actions.Select(a => a.Entity.PartitionKey).Distinct().Count() > 1)
            {
                throw new StorageException(StorageErrorKind.Other, 400, "CommandsInBatchActOnDifferentPartitions", "A transaction must act on one partition.");
            }

            var snapshot = new SortedDictionary<(string Pk, string Rk), TableEntity>(t, t.Comparer);
            try
            {
                foreach (var a in actions)
                {
                    Apply(t, a);
                }
            }
            catch
            {
                t.Clear();
                foreach (var kv in snapshot)
                {
                    t[kv.Key] = kv.Value;
                }

                throw;
            }
        }

        return Task.CompletedTask;
    }

    private string Apply(SortedDictionary<(string Pk, string Rk), TableEntity> t, TableTransactionAction action)
    {
        var e = action.Entity;
        var key = (e.PartitionKey, e.RowKey);
        switch (action.Type)
        {
            case TableTransactionActionType.Add:
                if (t.ContainsKey(key))
                {
                    throw new StorageException(StorageErrorKind.Conflict, 409, "EntityAlreadyExists", "The entity already exists.");
                }

                return Store(t, e);
            case TableTransactionActionType.UpsertReplace:
                return Store(t, e);
            case TableTransactionActionType.UpsertMerge:
                return Store(t, t.TryGetValue(key, out var old) ? Merge(old, e) : e);
            case TableTransactionActionType.UpdateReplace:
                Check(t, e, action.IfMatch ?? "*");
                return Store(t, e);
            case TableTransactionActionType.Delete:
                Check(t, e, action.IfMatch ?? "*");
                t.Remove(key);
                return string.Empty;
            default:
                throw new NotSupportedException(action.Type.ToString());
        }
    }

    private static void Check(SortedDictionary<(string Pk, string Rk), TableEntity> t, TableEntity e, string ifMatch)
    {
        if (!t.TryGetValue((e.PartitionKey, e.RowKey), out var existing))
        {
            throw new StorageException(StorageErrorKind.NotFound, 404, "ResourceNotFound", "The entity does not exist.");
        }

        if (ifMatch != "*" && existing.ETag != ifMatch)
        {
            throw new StorageException(StorageErrorKind.PreconditionFailed, 412, "UpdateConditionNotSatisfied", "The entity's ETag does not match.");
        }
    }

    private static TableEntity Merge(TableEntity old, TableEntity update)
    {
        var props = new Dictionary<string, object?>(old.Properties, StringComparer.Ordinal);
        foreach (var p in update.Properties)
        {
            props[p.Key] = p.Value;
        }

        return update with { Properties = props };
    }

    private string Store(SortedDictionary<(string Pk, string Rk), TableEntity> t, TableEntity e)
    {
        var etag = $"W/\"{Interlocked.Increment(ref _etag)}\"";
        t[(e.PartitionKey, e.RowKey)] = e with { ETag = etag, Timestamp = DateTimeOffset.UtcNow };
        return etag;
    }

    private SortedDictionary<(string Pk, string Rk), TableEntity> Table(string table) =>
        _tables.TryGetValue(table, out var t)
            ? t
            : throw new StorageException(StorageErrorKind.NotFound, 404, "TableNotFound", $"Table {table} does not exist.");
}
