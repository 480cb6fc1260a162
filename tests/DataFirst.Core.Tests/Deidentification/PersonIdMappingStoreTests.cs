using System.Text;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;
using DataFirst.Core.Storage;
using DataFirst.Core.Tests.Fakes;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class PersonIdMappingStoreTests
{
    private static KeyValuePair<RecordKey, string> C(string id, string cluster) => new(new RecordKey("magistrates", id), cluster);

    [Fact]
    public async Task AssignAndSaveAsync_SecondRun_BuildsOnTheFirst()
    {
        var blobs = new TestBlobStore();
        var store = new PersonIdMappingStore(blobs);

        var first = await store.AssignAndSaveAsync("s", "run1", [C("1", "a"), C("2", "b")], new PersonIdAssigner());
        var second = await store.AssignAndSaveAsync("s", "run2", [C("1", "q"), C("2", "r"), C("3", "r")], new PersonIdAssigner());

        second.Mapping[new RecordKey("magistrates", "1")].Should().Be(first.Mapping[new RecordKey("magistrates", "1")]);
        second.Mapping[new RecordKey("magistrates", "3")].Should().Be(first.Mapping[new RecordKey("magistrates", "2")]);
        (await store.LoadLatestAsync("s")).RunId.Should().Be("run2");
        blobs.BlobNames("linkage").Should().Contain(["person-ids/s/runs/run1/magistrates.csv", "person-ids/s/runs/run2/magistrates.csv", "person-ids/s/runs/run2.report.json", "person-ids/s/latest"]);
    }

    [Fact]
    public async Task AssignAndSaveAsync_RetryOfSameRun_ReturnsTheSavedAssignment()
    {
        var store = new PersonIdMappingStore(new TestBlobStore());
        var first = await store.AssignAndSaveAsync("s", "run1", [C("1", "a")], new PersonIdAssigner());

        var retry = await store.AssignAndSaveAsync("s", "run1", [C("1", "a")], new PersonIdAssigner());

        retry.Mapping.Should().BeEquivalentTo(first.Mapping);
        retry.Report.Should().Be(first.Report);
    }

    [Fact]
    public async Task AssignAndSaveAsync_ConcurrentRunMovedLatest_FailsWithClearMessage()
    {
        var blobs = new TestBlobStore();
        var store = new PersonIdMappingStore(blobs);
        await store.AssignAndSaveAsync("s", "run1", [C("1", "a")], new PersonIdAssigner());

        // Another run moves "latest" between this run's read and write.
        var moved = false;
        blobs.FailUpload = name =>
        {
            if (!moved && name.EndsWith("/runs/run3/magistrates.csv", StringComparison.Ordinal))
            {
                moved = true;
                blobs.UploadBytesAsync("linkage", "person-ids/s/latest", Encoding.UTF8.GetBytes("run2")).GetAwaiter().GetResult();
            }

            return false;
        };
        var act = () => store.AssignAndSaveAsync("s", "run3", [C("1", "a")], new PersonIdAssigner());

        (await act.Should().ThrowAsync<DeidentificationException>()).WithMessage("*Another run*rerun*").Which.InnerException.Should().BeOfType<StorageException>();
    }

    [Fact]
    public async Task LoadLatestAsync_NoRunYet_ReturnsEmpty()
    {
        var blobs = new TestBlobStore();
        await blobs.CreateContainerIfNotExistsAsync("linkage");

        var (runId, mapping) = await new PersonIdMappingStore(blobs).LoadLatestAsync("s");

        runId.Should().BeNull();
        mapping.Should().BeEmpty();
    }

    [Theory]
    [InlineData("../x", "run1")]
    [InlineData("s", "a/b")]
    [InlineData("s", "")]
    public async Task AssignAndSaveAsync_UnsafeScopeOrRunId_IsRefused(string scope, string runId)
    {
        var act = () => new PersonIdMappingStore(new TestBlobStore()).AssignAndSaveAsync(scope, runId, [C("1", "a")], new PersonIdAssigner());

        await act.Should().ThrowAsync<DeidentificationException>();
    }

    [Fact]
    public async Task ReadRunAsync_SavedMapping_StreamsSortedByDatasetThenRowId()
    {
        var store = new PersonIdMappingStore(new InMemoryBlobStore());
        KeyValuePair<RecordKey, string>[] clusters = [new(new RecordKey("prisons", "2"), "a"), C("10", "b"), new(new RecordKey("family_people", "7"), "c"), C("2", "a"), new(new RecordKey("prisons", "1"), "d")];
        await store.AssignAndSaveAsync("s", "run1", clusters, new PersonIdAssigner());

        var keys = new List<RecordKey>();
        await foreach (var kv in store.ReadRunAsync("s", "run1"))
        {
            keys.Add(kv.Key);
        }

        keys.Should().Equal(new RecordKey("family_people", "7"), new RecordKey("magistrates", "10"), new RecordKey("magistrates", "2"), new RecordKey("prisons", "1"), new RecordKey("prisons", "2"));
    }

    [Fact]
    public async Task LoadRunAsync_OneDataset_LoadsOnlyItsRecords_AndReadRunAsyncStreamsAll()
    {
        var store = new PersonIdMappingStore(new InMemoryBlobStore());
        await store.AssignAndSaveAsync("s", "run1", [C("1", "a"), new(new RecordKey("prisons", "9"), "a")], new PersonIdAssigner());

        var magistrates = await store.LoadRunAsync("s", "run1", ["magistrates"]);
        var all = new List<KeyValuePair<RecordKey, string>>();
        await foreach (var kv in store.ReadRunAsync("s", "run1"))
        {
            all.Add(kv);
        }

        magistrates.Keys.Should().Equal(new RecordKey("magistrates", "1"));
        all.Should().HaveCount(2);
        all.Select(kv => kv.Value).Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task LoadRunAsync_SomeDatasets_ReadsOnlyTheirBlobs()
    {
        var blobs = new InMemoryBlobStore();
        var store = new PersonIdMappingStore(blobs);
        await store.AssignAndSaveAsync("s", "run1", [C("1", "a"), C("2", "b"), new(new RecordKey("prisons", "9"), "a"), new(new RecordKey("probation", "4"), "c")], new PersonIdAssigner());

        // Without the other datasets' blobs the load still works: it never opens them.
        (await blobs.DeleteAsync("linkage", PersonIdMappingStore.DatasetBlob("s", "run1", "prisons"))).Should().BeTrue();
        var loaded = await store.LoadRunAsync("s", "run1", ["magistrates", "probation", "crown_court"]);

        loaded.Keys.Should().BeEquivalentTo([new RecordKey("magistrates", "1"), new RecordKey("magistrates", "2"), new RecordKey("probation", "4")]);
    }

    [Fact]
    public async Task LoadLookupAsync_LoadsOnlyTheRowsListed_AsSavedAndFromSeveralThreads()
    {
        var store = new PersonIdMappingStore(new InMemoryBlobStore());
        var saved = await store.AssignAndSaveAsync("s", "run1", [C("1", "a"), C("2", "b"), C("3", "a"), C("é-4", "b"), new(new RecordKey("prisons", "1"), "a"), new(new RecordKey("probation", "4"), "c")], new PersonIdAssigner());
        static IdRepeatCheck Rows(params string[] ids)
        {
            var check = new IdRepeatCheck();
            foreach (var id in ids)
            {
                check.Add(id);
            }

            return check;
        }

        var loaded = await store.LoadLookupAsync("s", "run1", ["magistrates", "prisons"], new Dictionary<string, IdRepeatCheck> { ["magistrates"] = Rows("2", "3", "99", "é-4"), ["prisons"] = Rows() }, shareStrings: true);
        var whole = await store.LoadLookupAsync("s", "run1", ["magistrates", "probation"], null, shareStrings: false);

        loaded.Count.Should().Be(3, "row 99 is not in the run, prisons' row 1 and probation are not asked for");
        foreach (var record in new[] { new RecordKey("magistrates", "2"), new RecordKey("magistrates", "3"), new RecordKey("magistrates", "é-4") })
        {
            loaded.TryGetPersonId(record, out var id).Should().BeTrue();
            id.Should().Be(saved.Mapping[record]);
            loaded.TryGetPersonId(record, out var again).Should().BeTrue();
            again.Should().BeSameAs(id, "shared strings: one per person");
        }

        loaded.TryGetPersonId(new RecordKey("prisons", "1"), out _).Should().BeFalse();
        loaded.TryGetPersonId(new RecordKey("magistrates", "1"), out _).Should().BeFalse();
        whole.Count.Should().Be(5);
        Parallel.For(0, 2000, i =>
        {
            var record = i % 2 == 0 ? new RecordKey("probation", "4") : new RecordKey("magistrates", "é-4");
            whole.TryGetPersonId(record, out var id).Should().BeTrue();
            id.Should().Be(saved.Mapping[record]);
        });
        whole.TryGetPersonId(new RecordKey("prisons", "1"), out _).Should().BeFalse("prisons was not loaded");
    }

    [Fact]
    public async Task LoadLatestAsync_RunSavedInTheOneFileLayout_IsStillRead_AndARefreshBuildsOnIt()
    {
        var blobs = new InMemoryBlobStore();
        await blobs.CreateContainerIfNotExistsAsync("linkage");
        await blobs.UploadBytesAsync("linkage", "person-ids/s/runs/old.csv", Encoding.UTF8.GetBytes("dataset,row_id,person_id\nmagistrates,1,pOLD1\nprisons,9,pOLD1\n"));
        await blobs.UploadBytesAsync("linkage", "person-ids/s/latest", Encoding.UTF8.GetBytes("old"));
        var store = new PersonIdMappingStore(blobs);

        var (runId, mapping) = await store.LoadLatestAsync("s");
        var prisons = await store.LoadRunAsync("s", "old", ["prisons"]);
        var refresh = await store.AssignAndSaveAsync("s", "new", [C("1", "a"), new(new RecordKey("prisons", "9"), "a")], new PersonIdAssigner());

        runId.Should().Be("old");
        mapping.Should().HaveCount(2);
        prisons.Keys.Should().Equal(new RecordKey("prisons", "9"));
        refresh.Mapping.Values.Should().OnlyContain(id => id == "pOLD1", "the persisting person keeps the id saved in the old layout");
        (await store.LoadRunAsync("s", "new", ["prisons"]))[new RecordKey("prisons", "9")].Should().Be("pOLD1");
    }

    [Fact]
    public async Task LoadLatestAsync_LatestRunsMappingDeleted_FailsSayingSo_InsteadOfGivingEveryoneANewId()
    {
        var blobs = new InMemoryBlobStore();
        var store = new PersonIdMappingStore(blobs);
        await store.AssignAndSaveAsync("s", "run1", [C("1", "a"), C("2", "b")], new PersonIdAssigner());
        await foreach (var item in blobs.ListAllAsync("linkage", "person-ids/s/runs/"))
        {
            await blobs.DeleteAsync("linkage", item.Name);
        }

        var refresh = () => store.AssignAndSaveAsync("s", "run2", [C("1", "a")], new PersonIdAssigner());
        var missing = () => store.LoadRunAsync("s", "no-such-run", ["magistrates"]);

        (await refresh.Should().ThrowAsync<DeidentificationException>()).WithMessage("*run 'run1'*deleted*person-ids/s/latest*");
        await missing.Should().ThrowAsync<DeidentificationException>();
    }

    [Fact]
    public async Task ReadRunAsync_StreamsDatasetsInDatasetOrder_NotBlobNameOrder()
    {
        var store = new PersonIdMappingStore(new InMemoryBlobStore());
        await store.AssignAndSaveAsync("s", "run1", [new(new RecordKey("crown", "1"), "a"), new(new RecordKey("crown-court", "1"), "b")], new PersonIdAssigner());

        var datasets = new List<string>();
        await foreach (var kv in store.ReadRunAsync("s", "run1"))
        {
            datasets.Add(kv.Key.Dataset);
        }

        datasets.Should().Equal("crown", "crown-court");
    }
}
