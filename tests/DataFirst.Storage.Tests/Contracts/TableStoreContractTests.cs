using DataFirst.Core.Storage;

namespace DataFirst.Storage.Tests.Contracts;

/// <summary>
/// The one table-store contract: every adapter (SQLite, Azurite) derives from this class and must
/// pass every test unchanged.
/// </summary>
public abstract class TableStoreContractTests : IAsyncLifetime
{
    private ITableStore? _store;

    protected ITableStore Store => _store ?? throw new InvalidOperationException("Store not created.");

    /// <summary>A fresh table per test.</summary>
    protected string Table { get; } = "t" + Guid.NewGuid().ToString("N")[..20];

    protected abstract Task<ITableStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await Store.CreateTableIfNotExistsAsync(Table);
    }

    public virtual Task DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    private static TableEntity Entity(string pk, string rk, params (string Name, object? Value)[] properties) =>
        new(pk, rk) { Properties = properties.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal) };

    [Fact]
    public async Task AddAsync_ThenGetAsync_RoundTripsEveryPropertyType()
    {
        var when = new DateTimeOffset(2024, 5, 17, 13, 45, 12, 345, TimeSpan.Zero);
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var entity = Entity("run-1", "row-1",
            ("Status", "Completed"),
            ("Count", 12_345_678_901L),
            ("Small", 42),
            ("Ratio", 0.125),
            ("Whole", 3.0),
            ("Ok", true),
            ("When", when),
            ("Id", id),
            ("Bytes", new byte[] { 1, 2, 3, 250 }),
            ("Missing", null));

        var etag = await Store.AddAsync(Table, entity);
        var read = await Store.GetAsync(Table, "run-1", "row-1");

        etag.Should().NotBeNullOrEmpty();
        read.Should().NotBeNull();
        read!.ETag.Should().Be(etag);
        read.Timestamp.Should().NotBeNull();
        read.Properties["Status"].Should().Be("Completed");
        read.Properties["Count"].Should().Be(12_345_678_901L);
        read.Properties["Small"].Should().Be(42);
        read.Properties["Ratio"].Should().Be(0.125);
        read.Properties["Whole"].Should().Be(3.0);
        read.Properties["Ok"].Should().Be(true);
        read.Properties["When"].Should().Be(when);
        read.Properties["Id"].Should().Be(id);
        read.Properties["Bytes"].Should().BeEquivalentTo(new byte[] { 1, 2, 3, 250 });
        read.Properties.Should().NotContainKey("Missing");
        read.GetInt64("Count").Should().Be(12_345_678_901L);
    }

    [Fact]
    public async Task AddAsync_ExistingKey_ThrowsConflict()
    {
        await Store.AddAsync(Table, Entity("p", "r", ("V", "1")));

        var act = () => Store.AddAsync(Table, Entity("p", "r", ("V", "2")));

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.Conflict);
        (await Store.GetAsync(Table, "p", "r"))!.GetString("V").Should().Be("1");
    }

    [Fact]
    public async Task GetAsync_Absent_ReturnsNull()
    {
        (await Store.GetAsync(Table, "p", "nothing-here")).Should().BeNull();
    }

    [Fact]
    public async Task UpsertAsync_Replace_DropsOtherProperties()
    {
        await Store.UpsertAsync(Table, Entity("p", "r", ("A", "1"), ("B", "2")));

        await Store.UpsertAsync(Table, Entity("p", "r", ("A", "10")), TableUpdateMode.Replace);

        var read = await Store.GetAsync(Table, "p", "r");
        read!.GetString("A").Should().Be("10");
        read.Properties.Should().NotContainKey("B");
    }

    [Fact]
    public async Task UpsertAsync_Merge_KeepsOtherProperties()
    {
        var first = await Store.UpsertAsync(Table, Entity("p", "r", ("A", "1"), ("B", "2")), TableUpdateMode.Merge);

        var second = await Store.UpsertAsync(Table, Entity("p", "r", ("A", "10"), ("C", 3L)), TableUpdateMode.Merge);

        second.Should().NotBe(first);
        var read = await Store.GetAsync(Table, "p", "r");
        read!.GetString("A").Should().Be("10");
        read.GetString("B").Should().Be("2");
        read.GetInt64("C").Should().Be(3);
    }

    [Fact]
    public async Task UpdateAsync_CurrentETag_ReplacesAndReturnsNewETag()
    {
        var etag = await Store.AddAsync(Table, Entity("p", "r", ("State", "Running"), ("X", "x")));

        var newETag = await Store.UpdateAsync(Table, Entity("p", "r", ("State", "Done")), etag);

        newETag.Should().NotBe(etag);
        var read = await Store.GetAsync(Table, "p", "r");
        read!.GetString("State").Should().Be("Done");
        read.Properties.Should().NotContainKey("X");
    }

    [Fact]
    public async Task UpdateAsync_MergeWithCurrentETag_KeepsOtherProperties()
    {
        var etag = await Store.AddAsync(Table, Entity("p", "r", ("State", "Running"), ("X", "x")));

        await Store.UpdateAsync(Table, Entity("p", "r", ("State", "Done")), etag, TableUpdateMode.Merge);

        var read = await Store.GetAsync(Table, "p", "r");
        read!.GetString("State").Should().Be("Done");
        read.GetString("X").Should().Be("x");
    }

    [Fact]
    public async Task UpdateAsync_StaleETag_ThrowsPreconditionFailed()
    {
        var stale = await Store.AddAsync(Table, Entity("p", "r", ("V", "1")));
        await Store.UpsertAsync(Table, Entity("p", "r", ("V", "2")));

        var act = () => Store.UpdateAsync(Table, Entity("p", "r", ("V", "3")), stale);

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.PreconditionFailed);
        (await Store.GetAsync(Table, "p", "r"))!.GetString("V").Should().Be("2");
    }

    [Fact]
    public async Task UpdateAsync_Absent_ThrowsNotFound()
    {
        var act = () => Store.UpdateAsync(Table, Entity("p", "absent", ("V", "3")), "*");

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.NotFound);
    }

    [Fact]
    public async Task DeleteAsync_StaleThenCurrentETag_FailsThenDeletes()
    {
        var stale = await Store.AddAsync(Table, Entity("p", "r", ("V", "1")));
        var current = await Store.UpsertAsync(Table, Entity("p", "r", ("V", "2")));

        var act = () => Store.DeleteAsync(Table, "p", "r", stale);

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.PreconditionFailed);
        (await Store.DeleteAsync(Table, "p", "r", current)).Should().BeTrue();
        (await Store.DeleteAsync(Table, "p", "r")).Should().BeFalse();
        (await Store.GetAsync(Table, "p", "r")).Should().BeNull();
    }

    [Fact]
    public async Task QueryAsync_PartitionWithPaging_ReturnsAllInRowKeyOrderOnlyFromThatPartition()
    {
        for (var i = 24; i >= 0; i--)
        {
            await Store.AddAsync(Table, Entity("runs", $"r{i:D3}", ("Index", i)));
        }

        await Store.AddAsync(Table, Entity("other", "r000", ("Index", 0)));

        var all = new List<TableEntity>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.QueryAsync(Table, "runs", continuationToken: token, pageSize: 10);
            page.Items.Count.Should().BeLessThanOrEqualTo(10);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 50);

        pages.Should().BeGreaterThanOrEqualTo(3);
        all.Select(e => e.RowKey).Should().Equal(Enumerable.Range(0, 25).Select(i => $"r{i:D3}"));
        all.Should().OnlyContain(e => e.PartitionKey == "runs" && e.ETag != null);
    }

    [Fact]
    public async Task QueryAsync_RowKeyRangeAndPropertyFilter_ReturnsOnlyMatches()
    {
        for (var i = 0; i < 20; i++)
        {
            await Store.AddAsync(Table, Entity("p", $"k{i:D2}", ("Status", i % 2 == 0 ? "Even" : "Odd"), ("Group", (long)(i % 3)), ("Flag", i % 4 == 0)));
        }

        var query = new TableQuery
        {
            RowKeyFrom = "k04",
            RowKeyTo = "k16",
            PropertyEquals = new Dictionary<string, object> { ["Status"] = "Even", ["Group"] = 0L },
        };
        var all = new List<TableEntity>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.QueryAsync(Table, "p", query, token, pageSize: 1);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 50);

        // Even and i % 3 == 0 within [4, 16): 6, 12.
        all.Select(e => e.RowKey).Should().Equal("k06", "k12");

        var flagged = await Store.QueryAsync(Table, "p", new TableQuery { PropertyEquals = new Dictionary<string, object> { ["Flag"] = true } });
        flagged.Items.Select(e => e.RowKey).Should().Equal("k00", "k04", "k08", "k12", "k16");
    }

    [Fact]
    public async Task SubmitTransactionAsync_AllValid_AppliesEveryAction()
    {
        var existingETag = await Store.AddAsync(Table, Entity("b", "existing", ("V", "old")));
        await Store.AddAsync(Table, Entity("b", "to-delete", ("V", "x")));
        await Store.AddAsync(Table, Entity("b", "to-merge", ("Keep", "k")));

        await Store.SubmitTransactionAsync(Table, new[]
        {
            new TableTransactionAction(TableTransactionActionType.Add, Entity("b", "new", ("V", "n"))),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, Entity("b", "existing", ("V", "new")), existingETag),
            new TableTransactionAction(TableTransactionActionType.Delete, Entity("b", "to-delete")),
            new TableTransactionAction(TableTransactionActionType.UpsertMerge, Entity("b", "to-merge", ("Added", 1L))),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity("b", "upserted", ("V", "u"))),
        });

        (await Store.GetAsync(Table, "b", "new"))!.GetString("V").Should().Be("n");
        (await Store.GetAsync(Table, "b", "existing"))!.GetString("V").Should().Be("new");
        (await Store.GetAsync(Table, "b", "to-delete")).Should().BeNull();
        var merged = await Store.GetAsync(Table, "b", "to-merge");
        merged!.GetString("Keep").Should().Be("k");
        merged.GetInt64("Added").Should().Be(1);
        (await Store.GetAsync(Table, "b", "upserted"))!.GetString("V").Should().Be("u");
    }

    [Fact]
    public async Task SubmitTransactionAsync_OneActionConflicts_AppliesNothing()
    {
        await Store.AddAsync(Table, Entity("b", "taken", ("V", "original")));

        var act = () => Store.SubmitTransactionAsync(Table, new[]
        {
            new TableTransactionAction(TableTransactionActionType.Add, Entity("b", "first", ("V", "1"))),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity("b", "second", ("V", "2"))),
            new TableTransactionAction(TableTransactionActionType.Add, Entity("b", "taken", ("V", "clobbered"))),
        });

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.Conflict);
        (await Store.GetAsync(Table, "b", "first")).Should().BeNull();
        (await Store.GetAsync(Table, "b", "second")).Should().BeNull();
        (await Store.GetAsync(Table, "b", "taken"))!.GetString("V").Should().Be("original");
    }

    [Fact]
    public async Task SubmitTransactionAsync_StaleETag_ThrowsPreconditionFailedAndAppliesNothing()
    {
        var stale = await Store.AddAsync(Table, Entity("b", "r", ("V", "1")));
        await Store.UpsertAsync(Table, Entity("b", "r", ("V", "2")));

        var act = () => Store.SubmitTransactionAsync(Table, new[]
        {
            new TableTransactionAction(TableTransactionActionType.Add, Entity("b", "other", ("V", "o"))),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, Entity("b", "r", ("V", "3")), stale),
        });

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.PreconditionFailed);
        (await Store.GetAsync(Table, "b", "other")).Should().BeNull();
        (await Store.GetAsync(Table, "b", "r"))!.GetString("V").Should().Be("2");
    }

    [Fact]
    public async Task SubmitTransactionAsync_TwoPartitions_IsRejected()
    {
        var act = () => Store.SubmitTransactionAsync(Table, new[]
        {
            new TableTransactionAction(TableTransactionActionType.Add, Entity("a", "1")),
            new TableTransactionAction(TableTransactionActionType.Add, Entity("b", "1")),
        });

        await act.Should().ThrowAsync<StorageException>();
        (await Store.GetAsync(Table, "a", "1")).Should().BeNull();
    }

    [Theory]
    [InlineData("part with spaces", "row with spaces")]
    [InlineData("ünïcödé €uro 名前", "ключ ✓")]
    [InlineData("a+b&c=d", "x+y&z=1%2F")]
    [InlineData("o'brien", "it''s")]
    public async Task Operations_KeysWithSpacesUnicodeOrSymbols_RoundTrip(string pk, string rk)
    {
        var etag = await Store.AddAsync(Table, Entity(pk, rk, ("V", "1")));

        var read = await Store.GetAsync(Table, pk, rk);
        var page = await Store.QueryAsync(Table, pk);
        var updated = await Store.UpdateAsync(Table, Entity(pk, rk, ("V", "2")), etag);

        read!.PartitionKey.Should().Be(pk);
        read.RowKey.Should().Be(rk);
        page.Items.Select(e => e.RowKey).Should().Equal(rk);
        (await Store.GetAsync(Table, pk, rk))!.GetString("V").Should().Be("2");
        (await Store.DeleteAsync(Table, pk, rk, updated)).Should().BeTrue();
    }

    [Theory]
    [InlineData("p/q", "r")]
    [InlineData("p", "r#1")]
    [InlineData("p", "r?x")]
    [InlineData("p", "back\\slash")]
    public async Task AddAsync_InvalidKey_ThrowsInvalidName(string pk, string rk)
    {
        var act = () => Store.AddAsync(Table, Entity(pk, rk, ("V", "1")));

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.InvalidName);
    }

    [Fact]
    public async Task CreateTableIfNotExistsAsync_InvalidName_ThrowsInvalidName()
    {
        var act = () => Store.CreateTableIfNotExistsAsync("bad-table");

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.InvalidName);
    }

    [Fact]
    public async Task AddAsync_TableMissing_ThrowsNotFound()
    {
        var act = () => Store.AddAsync("missing" + Guid.NewGuid().ToString("N")[..10], Entity("p", "r"));

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.NotFound);
    }

    [Fact]
    public async Task GetAsync_TableMissing_ThrowsNotFound()
    {
        var missing = "missing" + Guid.NewGuid().ToString("N")[..10];

        var get = () => Store.GetAsync(missing, "p", "r");
        var query = () => Store.QueryAsync(missing, "p");

        (await get.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.NotFound);
        (await query.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.NotFound);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("1starts_with_digit")]
    [InlineData("Timestamp")]
    [InlineData("dash-ed")]
    public async Task AddAsync_InvalidPropertyName_ThrowsInvalidName(string name)
    {
        var act = () => Store.AddAsync(Table, Entity("p", "r", (name, "v")));

        (await act.Should().ThrowAsync<StorageException>()).Which.Kind.Should().Be(StorageErrorKind.InvalidName);
    }

    [Fact]
    public async Task AddAsync_StringPropertyOver32KCharacters_IsRejected()
    {
        var act = () => Store.AddAsync(Table, Entity("p", "r", ("Big", new string('x', 40_000))));

        (await act.Should().ThrowAsync<StorageException>()).Which.ErrorCode.Should().Be("PropertyValueTooLarge");
    }
}
