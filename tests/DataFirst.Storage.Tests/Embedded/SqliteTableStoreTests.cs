using DataFirst.Core.Storage;
using DataFirst.Storage.Embedded;
using DataFirst.Storage.Tests.Contracts;
using DataFirst.Storage.Tests.Support;

namespace DataFirst.Storage.Tests.Embedded;

public sealed class SqliteTableStoreTests : TableStoreContractTests
{
    private readonly TempDirectory _root = new();

    private string DatabasePath => Path.Combine(_root.Path, "tables.db");

    protected override Task<ITableStore> CreateStoreAsync() => Task.FromResult<ITableStore>(new SqliteTableStore(DatabasePath));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task UpdateAsync_ConcurrentWritersFromSeparateInstances_OnlyOneETagWins()
    {
        var etag = await Store.AddAsync(Table, new TableEntity("p", "r") { Properties = new Dictionary<string, object?> { ["V"] = 0L } });
        var stores = Enumerable.Range(0, 6).Select(_ => new SqliteTableStore(DatabasePath)).ToList();

        var attempts = stores.Select(async (store, i) =>
        {
            try
            {
                await store.UpdateAsync(Table, new TableEntity("p", "r") { Properties = new Dictionary<string, object?> { ["V"] = (long)i } }, etag);
                return true;
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.PreconditionFailed)
            {
                return false;
            }
        });

        (await Task.WhenAll(attempts)).Count(won => won).Should().Be(1);
        stores.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Constructor_OnUnix_CreatesTheDatabaseAndItsWalFilesForTheOwnerOnly()
    {
        // xunit 2 cannot skip at run time: on Windows the files inherit the folder's ACL, nothing to check.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var folder = Path.Combine(_root.Path, "data");
        var database = Path.Combine(folder, "tables.db");
        using var store = new SqliteTableStore(database);
        await store.CreateTableIfNotExistsAsync("Runs");
        await store.AddAsync("Runs", new TableEntity("run", "r1") { Properties = new Dictionary<string, object?> { ["Share"] = "s" } });

        File.GetUnixFileMode(folder).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var files = Directory.EnumerateFiles(folder).ToList();
        files.Select(Path.GetFileName).Should().Contain(["tables.db", "tables.db-wal", "tables.db-shm"]);
        foreach (var file in files)
        {
            File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, file);
        }
    }

    [Fact]
    public async Task Data_ReopenedStore_SeesCommittedEntities()
    {
        await Store.AddAsync(Table, new TableEntity("p", "r") { Properties = new Dictionary<string, object?> { ["V"] = "kept" } });

        using var reopened = new SqliteTableStore(DatabasePath);

        (await reopened.GetAsync(Table, "p", "r"))!.GetString("V").Should().Be("kept");
    }
}
