using System.Globalization;
using System.Text;
using System.Text.Json;
using DataFirst.Core.Storage;
using Microsoft.Data.Sqlite;

namespace DataFirst.Storage.Embedded;

/// <summary>
/// The embedded table store: Azure Table semantics over one SQLite database file.
/// <para>
/// Entities live in one SQL table keyed by (table, PartitionKey, RowKey); properties are a JSON
/// document with a type tag per value so that every supported type round-trips. ETags are new
/// random values on every write. Writes run in <c>BEGIN IMMEDIATE</c> transactions (a batch is one
/// transaction), the database is in WAL mode with a busy timeout, so several processes can share
/// the file safely. On Unix a database file it creates is 0600 (and so are its WAL files).
/// </para>
/// </summary>
public sealed class SqliteTableStore : ITableStore, IDisposable
{
    public const int DefaultPageSize = 1000;
    private static readonly object InitLock = new();
    private static bool _batteriesInitialised;
    private readonly string _connectionString;

    public SqliteTableStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        EnsureSqliteInitialised();
        DatabasePath = Path.GetFullPath(databasePath);
        OwnerOnly.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        CreateOwnerOnlyFile(DatabasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        using var connection = Open();
        Execute(connection, null, "PRAGMA journal_mode=WAL;");
        Execute(connection, null, """
            CREATE TABLE IF NOT EXISTS df_tables (name TEXT NOT NULL PRIMARY KEY);
            CREATE TABLE IF NOT EXISTS df_entities (
                tbl TEXT NOT NULL,
                pk TEXT NOT NULL,
                rk TEXT NOT NULL,
                etag TEXT NOT NULL,
                ts TEXT NOT NULL,
                props TEXT NOT NULL,
                PRIMARY KEY (tbl, pk, rk)
            ) WITHOUT ROWID;
            """);
    }

    public string DatabasePath { get; }

    /// <summary>
    /// Creates the database as an empty file (which SQLite takes for an empty database), 0600 on Unix, unless it exists:
    /// it holds run history. SQLite gives the <c>-wal</c> and <c>-shm</c> files it creates beside it the database
    /// file's permissions, so they are owner-only too. An existing file keeps its mode.
    /// </summary>
    private static void CreateOwnerOnlyFile(string path)
    {
        try
        {
            using var file = new FileStream(path, OwnerOnly.Create(FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            // There already (or another process created it first).
        }
    }

    public override string ToString() => $"SqliteTableStore({DatabasePath})";

    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    public Task CreateTableIfNotExistsAsync(string table, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateTable(table);
        return WriteAsync(table, requireTable: false, (connection, tx) =>
        {
            Execute(connection, tx, "INSERT OR IGNORE INTO df_tables(name) VALUES ($t);", ("$t", Canonical(table)));
            return true;
        }, cancellationToken);
    }

    public Task<string> AddAsync(string table, TableEntity entity, CancellationToken cancellationToken = default)
    {
        TableRules.ValidateEntity(table, entity);
        return WriteAsync(table, requireTable: true, (connection, tx) => Apply(connection, tx, table, new TableTransactionAction(TableTransactionActionType.Add, entity)), cancellationToken);
    }

    public Task<string> UpsertAsync(string table, TableEntity entity, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default)
    {
        TableRules.ValidateEntity(table, entity);
        var type = mode == TableUpdateMode.Merge ? TableTransactionActionType.UpsertMerge : TableTransactionActionType.UpsertReplace;
        return WriteAsync(table, requireTable: true, (connection, tx) => Apply(connection, tx, table, new TableTransactionAction(type, entity)), cancellationToken);
    }

    public Task<string> UpdateAsync(string table, TableEntity entity, string ifMatch, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default)
    {
        TableRules.ValidateEntity(table, entity);
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        return WriteAsync(table, requireTable: true, (connection, tx) => Apply(connection, tx, table, new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, ifMatch), mode), cancellationToken);
    }

    public Task<TableEntity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateTable(table);
        StorageNames.ValidateKey(partitionKey, "PartitionKey");
        StorageNames.ValidateKey(rowKey, "RowKey");
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        RequireTable(connection, null, table);
        return Task.FromResult(Read(connection, null, table, partitionKey, rowKey));
    }

    public Task<TablePage> QueryAsync(string table, string partitionKey, TableQuery? query = null, string? continuationToken = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateTable(table);
        StorageNames.ValidateKey(partitionKey, "PartitionKey");
        var size = pageSize ?? DefaultPageSize;
        if (size is < 1 or > DefaultPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), size, $"Page size must be between 1 and {DefaultPageSize}.");
        }

        var after = ContinuationTokens.Decode(continuationToken, "table store");
        using var connection = Open();
        RequireTable(connection, null, table);
        using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT pk, rk, etag, ts, props FROM df_entities WHERE tbl = $t AND pk = $pk");
        command.Parameters.AddWithValue("$t", Canonical(table));
        command.Parameters.AddWithValue("$pk", partitionKey);
        if (query?.RowKeyFrom is { } from)
        {
            sql.Append(" AND rk >= $from");
            command.Parameters.AddWithValue("$from", from);
        }

        if (query?.RowKeyTo is { } to)
        {
            sql.Append(" AND rk < $to");
            command.Parameters.AddWithValue("$to", to);
        }

        if (after is not null)
        {
            sql.Append(" AND rk > $after");
            command.Parameters.AddWithValue("$after", after);
        }

        sql.Append(" ORDER BY rk;");
        command.CommandText = sql.ToString();
        var items = new List<TableEntity>();
        var more = false;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entity = ReadEntity(reader);
                if (!Matches(entity, query?.PropertyEquals))
                {
                    continue;
                }

                if (items.Count == size)
                {
                    more = true;
                    break;
                }

                items.Add(entity);
            }
        }

        return Task.FromResult(new TablePage(items, more ? ContinuationTokens.Encode(items[^1].RowKey) : null));
    }

    public Task<bool> DeleteAsync(string table, string partitionKey, string rowKey, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateTable(table);
        StorageNames.ValidateKey(partitionKey, "PartitionKey");
        StorageNames.ValidateKey(rowKey, "RowKey");
        return WriteAsync(table, requireTable: true, (connection, tx) =>
        {
            var current = Read(connection, tx, table, partitionKey, rowKey);
            if (current is null)
            {
                return false;
            }

            if (ifMatch is not null && ifMatch != "*" && current.ETag != ifMatch)
            {
                throw Stale(table, partitionKey, rowKey);
            }

            Execute(connection, tx, "DELETE FROM df_entities WHERE tbl = $t AND pk = $pk AND rk = $rk;", ("$t", Canonical(table)), ("$pk", partitionKey), ("$rk", rowKey));
            return true;
        }, cancellationToken);
    }

    public Task SubmitTransactionAsync(string table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateTable(table);
        ArgumentNullException.ThrowIfNull(actions);
        TableRules.ValidateBatch(actions);
        foreach (var action in actions)
        {
            TableRules.ValidateEntity(table, action.Entity);
        }

        return WriteAsync(table, requireTable: true, (connection, tx) =>
        {
            for (var i = 0; i < actions.Count; i++)
            {
                try
                {
                    Apply(connection, tx, table, actions[i]);
                }
                catch (StorageException ex)
                {
                    // The transaction rolls back: nothing of the batch is applied.
                    throw new StorageException(ex.Kind, ex.Status, ex.ErrorCode, $"Batch on table '{table}' rolled back: action {i} ({actions[i].Type}) failed. {ex.Message}", ex);
                }
            }

            return true;
        }, cancellationToken);
    }

    private string Apply(SqliteConnection connection, SqliteTransaction tx, string table, TableTransactionAction action, TableUpdateMode updateMode = TableUpdateMode.Replace)
    {
        var entity = action.Entity;
        var current = Read(connection, tx, table, entity.PartitionKey, entity.RowKey);
        Dictionary<string, object?> properties;
        switch (action.Type)
        {
            case TableTransactionActionType.Add:
                if (current is not null)
                {
                    throw new StorageException(StorageErrorKind.Conflict, 409, "EntityAlreadyExists", $"Entity ({entity.PartitionKey}, {entity.RowKey}) already exists in table '{table}'.");
                }

                properties = Clean(entity.Properties);
                break;
            case TableTransactionActionType.UpsertReplace:
                properties = Clean(entity.Properties);
                break;
            case TableTransactionActionType.UpsertMerge:
                properties = Merge(current, entity);
                break;
            case TableTransactionActionType.UpdateReplace:
                if (current is null)
                {
                    throw new StorageException(StorageErrorKind.NotFound, 404, "ResourceNotFound", $"Entity ({entity.PartitionKey}, {entity.RowKey}) does not exist in table '{table}'.");
                }

                var ifMatch = action.IfMatch ?? "*";
                if (ifMatch != "*" && ifMatch != current.ETag)
                {
                    throw Stale(table, entity.PartitionKey, entity.RowKey);
                }

                properties = updateMode == TableUpdateMode.Merge ? Merge(current, entity) : Clean(entity.Properties);
                break;
            case TableTransactionActionType.Delete:
                if (current is null)
                {
                    throw new StorageException(StorageErrorKind.NotFound, 404, "ResourceNotFound", $"Entity ({entity.PartitionKey}, {entity.RowKey}) does not exist in table '{table}'.");
                }

                if (action.IfMatch is { } deleteMatch && deleteMatch != "*" && deleteMatch != current.ETag)
                {
                    throw Stale(table, entity.PartitionKey, entity.RowKey);
                }

                Execute(connection, tx, "DELETE FROM df_entities WHERE tbl = $t AND pk = $pk AND rk = $rk;", ("$t", Canonical(table)), ("$pk", entity.PartitionKey), ("$rk", entity.RowKey));
                return current.ETag!;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action.Type, "Unknown table action type.");
        }

        var etag = $"W/\"{Guid.NewGuid():N}\"";
        Execute(
            connection,
            tx,
            "INSERT OR REPLACE INTO df_entities(tbl, pk, rk, etag, ts, props) VALUES ($t, $pk, $rk, $etag, $ts, $props);",
            ("$t", Canonical(table)),
            ("$pk", entity.PartitionKey),
            ("$rk", entity.RowKey),
            ("$etag", etag),
            ("$ts", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
            ("$props", SerializeProperties(properties)));
        return etag;
    }

    private static Dictionary<string, object?> Merge(TableEntity? current, TableEntity update)
    {
        var merged = current is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : Clean(current.Properties);
        foreach (var (name, value) in update.Properties)
        {
            if (value is not null)
            {
                merged[name] = value;
            }
        }

        return merged;
    }

    private static Dictionary<string, object?> Clean(IReadOnlyDictionary<string, object?> properties)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in properties)
        {
            if (value is not null)
            {
                result[name] = value is DateTime dt ? new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime()) : value;
            }
        }

        return result;
    }

    private static StorageException Stale(string table, string partitionKey, string rowKey) =>
        new(StorageErrorKind.PreconditionFailed, 412, "UpdateConditionNotSatisfied", $"Entity ({partitionKey}, {rowKey}) in table '{table}' was changed by someone else (stale ETag). Read it again and retry.");

    internal static bool Matches(TableEntity entity, IReadOnlyDictionary<string, object>? equals)
    {
        if (equals is null)
        {
            return true;
        }

        foreach (var (name, expected) in equals)
        {
            if (!entity.Properties.TryGetValue(name, out var actual) || actual is null || !actual.Equals(expected))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<T> WriteAsync<T>(string table, bool requireTable, Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await Task.Yield();
        using var connection = Open();
        using var tx = connection.BeginTransaction(deferred: false);
        if (requireTable)
        {
            RequireTable(connection, tx, table);
        }

        var result = work(connection, tx);
        tx.Commit();
        return result;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, null, "PRAGMA busy_timeout = 60000; PRAGMA synchronous = NORMAL;");
        return connection;
    }

    private static void RequireTable(SqliteConnection connection, SqliteTransaction? tx, string table)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT 1 FROM df_tables WHERE name = $t;";
        command.Parameters.AddWithValue("$t", Canonical(table));
        if (command.ExecuteScalar() is null)
        {
            throw new StorageException(StorageErrorKind.NotFound, 404, "TableNotFound", $"Table '{table}' does not exist: create it first (CreateTableIfNotExistsAsync).");
        }
    }

    private static TableEntity? Read(SqliteConnection connection, SqliteTransaction? tx, string table, string partitionKey, string rowKey)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT pk, rk, etag, ts, props FROM df_entities WHERE tbl = $t AND pk = $pk AND rk = $rk;";
        command.Parameters.AddWithValue("$t", Canonical(table));
        command.Parameters.AddWithValue("$pk", partitionKey);
        command.Parameters.AddWithValue("$rk", rowKey);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadEntity(reader) : null;
    }

    private static TableEntity ReadEntity(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1))
        {
            ETag = reader.GetString(2),
            Timestamp = DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            Properties = DeserializeProperties(reader.GetString(4)),
        };

    private static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private static string Canonical(string table) => table.ToLowerInvariant();

    internal static string SerializeProperties(IReadOnlyDictionary<string, object?> properties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                if (value is null)
                {
                    continue;
                }

                writer.WriteStartArray(name);
                switch (value)
                {
                    case string s:
                        writer.WriteStringValue("s");
                        writer.WriteStringValue(s);
                        break;
                    case int i:
                        writer.WriteStringValue("i");
                        writer.WriteNumberValue(i);
                        break;
                    case long l:
                        writer.WriteStringValue("l");
                        writer.WriteStringValue(l.ToString(CultureInfo.InvariantCulture));
                        break;
                    case double d:
                        writer.WriteStringValue("d");
                        writer.WriteStringValue(d.ToString("R", CultureInfo.InvariantCulture));
                        break;
                    case bool b:
                        writer.WriteStringValue("b");
                        writer.WriteBooleanValue(b);
                        break;
                    case DateTimeOffset t:
                        writer.WriteStringValue("t");
                        writer.WriteStringValue(t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                        break;
                    case Guid g:
                        writer.WriteStringValue("g");
                        writer.WriteStringValue(g.ToString("D"));
                        break;
                    case byte[] x:
                        writer.WriteStringValue("x");
                        writer.WriteBase64StringValue(x);
                        break;
                    default:
                        throw new InvalidOperationException($"Unsupported property type {value.GetType().Name}.");
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static Dictionary<string, object?> DeserializeProperties(string json)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var tag = property.Value[0].GetString();
            var v = property.Value[1];
            result[property.Name] = tag switch
            {
                "s" => v.GetString(),
                "i" => v.GetInt32(),
                "l" => long.Parse(v.GetString()!, CultureInfo.InvariantCulture),
                "d" => double.Parse(v.GetString()!, CultureInfo.InvariantCulture),
                "b" => v.GetBoolean(),
                "t" => DateTimeOffset.Parse(v.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                "g" => Guid.Parse(v.GetString()!),
                "x" => v.GetBytesFromBase64(),
                _ => throw new InvalidOperationException($"Unknown property type tag '{tag}' in the table database."),
            };
        }

        return result;
    }

    private static void EnsureSqliteInitialised()
    {
        lock (InitLock)
        {
            if (!_batteriesInitialised)
            {
                SQLitePCL.Batteries_V2.Init();
                _batteriesInitialised = true;
            }
        }
    }
}
