using System.Globalization;
using System.Text;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;
using DataFirst.Core.Storage;
using DataFirst.Core.Tests.Fakes;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class RecordOrderTests
{
    // ASCII, a NUL, two-byte, three-byte below the surrogates and from U+E000 up, and four-byte (surrogate pairs in
    // UTF-16, which string.CompareOrdinal puts before U+E000).
    private static readonly string[] Pieces = ["a", "b", "0", "9", "\0", "é", "中", "\uE000", "\uFFFD", "\uFFFF", "😀", "𐀀", "\U0010FFFF"];

    private static string RandomText(Random rng, int maxPieces) =>
        string.Concat(Enumerable.Range(0, rng.Next(maxPieces + 1)).Select(_ => Pieces[rng.Next(Pieces.Length)]));

    // An id the builder reads: no NUL, and no U+FFFD, which it refuses as the mark of bytes that were not UTF-8.
    private static string Id(string text) =>
        text.Replace("\0", "x", StringComparison.Ordinal).Replace("\uFFFD", "y", StringComparison.Ordinal);

    [Fact]
    public void Compare_OfUtf8_AgreesWithStringCompareOrdinal()
    {
        var rng = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var a = RandomText(rng, 5);
            var b = i % 3 == 0 ? a + RandomText(rng, 2) : RandomText(rng, 5);

            Math.Sign(RecordOrder.Compare(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b)))
                .Should().Be(Math.Sign(string.CompareOrdinal(a, b)), "for {0} against {1}", Escape(a), Escape(b));
        }

        RecordOrder.Compare(Encoding.UTF8.GetBytes("😀"), Encoding.UTF8.GetBytes("\uE000")).Should().BeNegative("a surrogate pair sorts before U+E000 in UTF-16");
        RecordOrder.Compare(Encoding.UTF8.GetBytes("\uD7FF"), Encoding.UTF8.GetBytes("😀")).Should().BeNegative();
    }

    [Fact]
    public void Of_SortsEachDatasetsRecordsAsRecordKeyOrder_WithoutAStringPerRecord()
    {
        // Ids of one extract that share a long beginning (so the first eight bytes after it still tie), ids of
        // different lengths, and non-ASCII ids, over datasets whose names sort differently from their file names.
        var rng = new Random(11);
        var datasets = new[] { "prisons", "crown-court", "crown" };
        var builder = new RecordSetBuilder(Tests.Settings.LinkageSettingsTests.ForenameAndDob());
        foreach (var dataset in datasets)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            while (ids.Count < 2000)
            {
                ids.Add(rng.Next(4) switch
                {
                    0 => "MC00000000" + rng.Next(100_000).ToString(CultureInfo.InvariantCulture),
                    1 => "MC00000000" + rng.Next(100).ToString(CultureInfo.InvariantCulture) + Id(RandomText(rng, 2)),
                    2 => rng.Next(1_000_000).ToString(CultureInfo.InvariantCulture),
                    _ => "x" + Id(RandomText(rng, 4)),
                });
            }

            var csv = new StringBuilder("id,forename,dob\n");
            foreach (var id in ids)
            {
                csv.Append(id).Append(",Ann,1980-01-02\n");
            }

            builder.AddCsv(new StringReader(csv.ToString()), dataset);
        }

        var set = builder.Build();
        var expected = Enumerable.Range(0, set.Count).Select(i => new RecordKey(set.SourceDataset(i), set.UniqueId(i))).Order(RecordKey.Order).ToList();

        var order = RecordOrder.Of(set);

        order.Count.Should().Be(set.Count);
        Enumerable.Range(0, order.Count).Select(k => new RecordKey(order.Dataset(k), Encoding.UTF8.GetString(order.RowId(k)))).Should().Equal(expected);
        order.Positions.Select(i => new RecordKey(set.SourceDataset(i), set.UniqueId(i))).Should().Equal(expected);
        expected.Select(k => k.Dataset).Distinct().Should().Equal("crown", "crown-court", "prisons");
    }

    [Fact]
    public void Of_ARecordReadTwice_IsRefusedWithoutItsRowId()
    {
        var set = new RecordSetBuilder(Tests.Settings.LinkageSettingsTests.ForenameAndDob()).AddCsv(new StringReader("id,forename,dob\nsecret-7,Ann,1980-01-02\nsecret-8,Bob,1981-01-02\n"), "a").Build();
        using var stream = new MemoryStream();
        set.WriteTo(stream);
        var twice = new RecordSetConcatenation(set.ColumnNames, 2 * set.Count);
        twice.Append(new MemoryStream(stream.ToArray()));
        twice.Append(new MemoryStream(stream.ToArray()));

        var act = () => RecordOrder.Of(twice.Build());

        act.Should().Throw<DeidentificationException>().WithMessage("*dataset 'a' appears twice*").Which.Message.Should().NotContain("secret");
    }

    [Fact]
    public async Task AssignAndSave_OverARecordOrder_SavesWhatTheRecordKeyPathSaves_OnAFirstRunAndARefresh()
    {
        // The same clusters through both paths, each in its own store, with the same id generator: the saved blobs
        // and reports must be equal. The refresh drops some records, adds others, merges and splits clusters.
        var fast = new TestBlobStore();
        var keyed = new TestBlobStore();
        var rng = new Random(5);
        var first = Records(Enumerable.Range(0, 3000).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var second = Records(Enumerable.Range(399, 3000).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var firstClusters = Enumerable.Range(0, first.Count).Select(i => i / 3).ToArray();
        var secondClusters = Enumerable.Range(0, second.Count).Select(i => rng.Next(10) == 0 ? rng.Next(second.Count) : i / 3).ToArray();

        foreach (var (run, set, clusters) in new[] { ("run1", first, firstClusters), ("run2", second, secondClusters) })
        {
            var report = await new PersonIdMappingStore(fast).AssignAndSaveAsync("s", run, RecordOrder.Of(set), clusters, PersonIdAssignerTests.Sequential($"p{run}-"));
            var keys = Enumerable.Range(0, set.Count).Select(i => new RecordKey(set.SourceDataset(i), set.UniqueId(i))).ToArray();
            var clusterOf = (int[])clusters.Clone();
            Array.Sort(keys, clusterOf, RecordKey.Order);
            var assignment = await new PersonIdMappingStore(keyed).AssignAndSaveAsync("s", run, keys, clusterOf, PersonIdAssignerTests.Sequential($"p{run}-"));

            report.Should().Be(assignment.Report);
            fast.BlobNames("linkage").Should().Equal(keyed.BlobNames("linkage"));
            foreach (var name in keyed.BlobNames("linkage"))
            {
                Encoding.UTF8.GetString(fast.Content("linkage", name)).Should().Be(Encoding.UTF8.GetString(keyed.Content("linkage", name)), name);
            }
        }

        var refresh = JsonReport(fast, "run2");
        refresh.Kept.Should().BeGreaterThan(0);
        refresh.New.Should().BeGreaterThan(0);
        refresh.MergedClusters.Should().BeGreaterThan(0);
        refresh.PreviousPersonsPresent.Should().BeLessThan(refresh.PreviousPersons, "the first 399 rows of each dataset left");

        // A retry of a saved run returns its report and writes nothing.
        var retry = await new PersonIdMappingStore(fast).AssignAndSaveAsync("s", "run2", RecordOrder.Of(second), secondClusters, PersonIdAssignerTests.Sequential());
        retry.Should().Be(refresh);
    }

    [Fact]
    public async Task AssignAndSave_PreviousMappingOutOfOrder_IsRefusedWithoutItsValues()
    {
        var blobs = new TestBlobStore();
        await blobs.CreateContainerIfNotExistsAsync("linkage");
        await blobs.UploadBytesAsync("linkage", "person-ids/s/runs/old.csv", Encoding.UTF8.GetBytes("dataset,row_id,person_id\na,secret-9,pSECRET\na,secret-1,pSECRET\n"));
        await blobs.UploadBytesAsync("linkage", "person-ids/s/latest", Encoding.UTF8.GetBytes("old"));
        var set = Records(["1"]);

        var act = () => new PersonIdMappingStore(blobs).AssignAndSaveAsync("s", "new", RecordOrder.Of(set), [0], PersonIdAssignerTests.Sequential());

        var thrown = (await act.Should().ThrowAsync<DeidentificationException>()).WithMessage("*run 'old'*not in dataset and row id order at its row 2*").Which;
        thrown.Message.Should().NotContain("SECRET").And.NotContain("secret");
    }

    private static RecordSet Records(IEnumerable<string> ids)
    {
        var builder = new RecordSetBuilder(Tests.Settings.LinkageSettingsTests.ForenameAndDob());
        var all = ids.ToList();
        foreach (var dataset in new[] { "b", "a" })
        {
            var csv = new StringBuilder("id,forename,dob\n");
            foreach (var id in all)
            {
                csv.Append(dataset).Append(id).Append(",Ann,1980-01-02\n");
            }

            builder.AddCsv(new StringReader(csv.ToString()), dataset);
        }

        return builder.Build();
    }

    private static PersonIdReport JsonReport(TestBlobStore blobs, string run) =>
        System.Text.Json.JsonSerializer.Deserialize<PersonIdReport>(blobs.Content("linkage", $"person-ids/s/runs/{run}.report.json"), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;

    private static string Escape(string s) => string.Concat(s.Select(c => $"\\u{(int)c:X4}"));
}
