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
    public async Task Data_ReopenedStore_SeesCommittedEntities()
    {
        await Store.AddAsync(Table, new TableEntity("p", "r") { Properties = new Dictionary<string, object?> { ["V"] = "kept" } });

        using var reopened = new SqliteTableStore(DatabasePath);

        (await reopened.GetAsync(Table, "p", "r"))!.GetString("V").Should().Be("kept");
    }
}
