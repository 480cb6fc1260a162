using DataFirst.Core.Storage;

namespace DataFirst.Core.Tests.Storage;

public sealed class InMemoryTableStoreTests
{
    private static TableEntity E(string pk, string rk, long n) => new(pk, rk) { Properties = new Dictionary<string, object?> { ["n"] = n } };

    [Fact]
    public async Task AddAsync_Existing_Conflict()
    {
        var store = new InMemoryTableStore();
        await store.CreateTableIfNotExistsAsync("t");
        await store.AddAsync("t", E("p", "r", 1));

        var act = () => store.AddAsync("t", E("p", "r", 2));

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.Conflict);
    }

    [Fact]
    public async Task UpdateAsync_StaleETag_PreconditionFailed()
    {
        var store = new InMemoryTableStore();
        await store.CreateTableIfNotExistsAsync("t");
        var etag = await store.AddAsync("t", E("p", "r", 1));
        await store.UpdateAsync("t", E("p", "r", 2), etag);

        var act = () => store.UpdateAsync("t", E("p", "r", 3), etag);

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.PreconditionFailed);
        (await store.GetAsync("t", "p", "r"))!.GetInt64("n").Should().Be(2);
    }

    [Fact]
    public async Task SubmitTransactionAsync_OneFails_NoneApplied()
    {
        var store = new InMemoryTableStore();
        await store.CreateTableIfNotExistsAsync("t");
        await store.AddAsync("t", E("p", "b", 1));

        var act = () => store.SubmitTransactionAsync("t", [new(TableTransactionActionType.Add, E("p", "a", 1)), new(TableTransactionActionType.Add, E("p", "b", 2))]);

        await act.Should().ThrowAsync<StorageException>();
        (await store.GetAsync("t", "p", "a")).Should().BeNull();
    }

    [Fact]
    public async Task QueryAsync_RowKeyRangeAndProperty_Filters()
    {
        var store = new InMemoryTableStore();
        await store.CreateTableIfNotExistsAsync("t");
        foreach (var (rk, n) in new[] { ("a", 1L), ("b", 2L), ("c", 2L), ("d", 2L) })
        {
            await store.AddAsync("t", E("p", rk, n));
        }

        var page = await store.QueryAsync("t", "p", new TableQuery { RowKeyFrom = "b", RowKeyTo = "d", PropertyEquals = new Dictionary<string, object> { ["n"] = 2L } });

        page.Items.Select(e => e.RowKey).Should().Equal("b", "c");
    }
}
