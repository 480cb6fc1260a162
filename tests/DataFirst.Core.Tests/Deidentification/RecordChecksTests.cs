using System.Globalization;
using System.Text;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;
using DataFirst.Core.Tests.Fakes;

namespace DataFirst.Core.Tests.Deidentification;

/// <summary>Record checks in the person id mapping: a refresh carries a person id over only to the same record.</summary>
public sealed class RecordChecksTests
{
    private static readonly PseudonymKey Key = new("k", Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>People 0..n-1, each with two records (row ids 2i+1 and 2i+2 of dataset "a"), each person a cluster.</summary>
    private static (RecordSet Records, int[] Clusters) People(int n, Func<int, int>? rowOfRecord = null)
    {
        var csv = new StringBuilder("id,forename,dob\n");
        var clusters = new List<int>();
        for (var r = 0; r < 2 * n; r++)
        {
            var person = r / 2;
            var row = rowOfRecord?.Invoke(r) ?? r + 1;
            csv.Append(CultureInfo.InvariantCulture, $"{row},Name{person},{1950 + (person % 50)}-0{1 + (person % 9)}-1{person % 10}\n");
            clusters.Add(person);
        }

        var set = new RecordSetBuilder(Tests.Settings.LinkageSettingsTests.ForenameAndDob()).AddCsv(new StringReader(csv.ToString()), "a").Build();
        return (set, [.. clusters]);
    }

    private static async Task<(PersonIdReport Report, Dictionary<string, string> PersonOfRow)> RunAsync(PersonIdMappingStore store, string run, RecordSet records, int[] clusters, RecordChecks? checks)
    {
        var report = await store.AssignAndSaveAsync("s", run, RecordOrder.Of(records), clusters, PersonIdAssignerTests.Sequential($"{run}-"), checks);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var kv in store.ReadRunAsync("s", run))
        {
            ids[kv.Key.RowId] = kv.Value;
        }

        return (report, ids);
    }

    [Fact]
    public async Task AssignAndSave_RowIdsRenumbered_CarriesNoIdToAnotherRecord()
    {
        var store = new PersonIdMappingStore(new TestBlobStore());
        const int N = 500;
        var (first, firstClusters) = People(N);
        var (_, before) = await RunAsync(store, "run1", first, firstClusters, RecordChecks.Of(first, Key));

        // The same records, re-exported in another order: record r now has row id perm[r] + 1.
        var perm = Enumerable.Range(0, 2 * N).ToArray();
        new Random(3).Shuffle(perm);
        var (second, secondClusters) = People(N, r => perm[r] + 1);
        var (report, after) = await RunAsync(store, "run2", second, secondClusters, RecordChecks.Of(second, Key));

        for (var r = 0; r < 2 * N; r++)
        {
            var id = after[(perm[r] + 1).ToString(CultureInfo.InvariantCulture)];
            if (id.StartsWith("run1-", StringComparison.Ordinal))
            {
                id.Should().Be(before[(r + 1).ToString(CultureInfo.InvariantCulture)], "a carried-over id must be the same record's (the same person's) id");
            }
        }

        report.RecordsChanged.Should().BeGreaterThan(2 * N * 9 / 10, "nearly every row id now holds another record");
        report.RecordsUnchecked.Should().Be(0);
        (report.Kept + report.New + report.SplitClusters + report.MergedClusters).Should().Be(report.Clusters);
        PersonIdWarnings.For(report).Should().ContainSingle().Which.Should().Contain("renumbered").And.NotContain("Name");
    }

    [Fact]
    public async Task AssignAndSave_UnchangedRefresh_KeepsEveryId()
    {
        var store = new PersonIdMappingStore(new TestBlobStore());
        var (records, clusters) = People(300);
        var (_, before) = await RunAsync(store, "run1", records, clusters, RecordChecks.Of(records, Key));

        var (again, againClusters) = People(300);
        var (report, after) = await RunAsync(store, "run2", again, againClusters, RecordChecks.Of(again, Key));

        after.Should().Equal(before);
        report.Kept.Should().Be(300);
        report.KeptShare.Should().Be(1.0);
        report.RecordsChanged.Should().Be(0);
        report.RecordsUnchecked.Should().Be(0);
        PersonIdWarnings.For(report).Should().BeEmpty();
    }

    [Fact]
    public async Task AssignAndSave_PreviousMappingWithoutChecks_LoadsAndCarriesIdsOverByRowIdWithANote()
    {
        // A mapping saved before checks were kept: dataset,row_id,person_id only, and no checks.json.
        var blobs = new TestBlobStore();
        var store = new PersonIdMappingStore(blobs);
        var (records, clusters) = People(150);
        var (_, before) = await RunAsync(store, "old", records, clusters, checks: null);
        blobs.BlobNames("linkage").Should().NotContain(n => n.EndsWith(".checks.json", StringComparison.Ordinal));
        Encoding.UTF8.GetString(blobs.Content("linkage", "person-ids/s/runs/old/a.csv")).Should().StartWith("dataset,row_id,person_id\n");

        var (report, after) = await RunAsync(store, "new", records, clusters, RecordChecks.Of(records, Key));

        after.Should().Equal(before);
        report.RecordsUnchecked.Should().Be(300);
        PersonIdWarnings.For(report).Should().ContainSingle().Which.Should().Contain("unchecked");

        // The run saved checks: the next refresh compares them.
        Encoding.UTF8.GetString(blobs.Content("linkage", "person-ids/s/runs/new/a.csv")).Should().StartWith("dataset,row_id,person_id,record_check\n");
        var (next, _) = await RunAsync(store, "next", records, clusters, RecordChecks.Of(records, Key));
        next.RecordsUnchecked.Should().Be(0);
        next.Kept.Should().Be(150);
    }

    [Fact]
    public async Task AssignAndSave_ChecksOfAnotherKey_AreNotComparedButCarriedOverUnchecked()
    {
        var store = new PersonIdMappingStore(new TestBlobStore());
        var (records, clusters) = People(100);
        await RunAsync(store, "run1", records, clusters, RecordChecks.Of(records, Key));
        var other = new PseudonymKey("k", Enumerable.Range(2, 32).Select(i => (byte)i).ToArray());

        var (report, _) = await RunAsync(store, "run2", records, clusters, RecordChecks.Of(records, other));

        report.Kept.Should().Be(100);
        report.RecordsUnchecked.Should().Be(200);
        report.RecordsChanged.Should().Be(0);
    }

    [Fact]
    public void Of_PostcodeAndSexAreNotChecked_SoAMoveKeepsTheCheck_ButAnotherNameOrDateOfBirthDoesNot()
    {
        var settings = Tests.Settings.LinkageSettingsTests.ForenameAndDob() with
        {
            Columns =
            [
                new ColumnSettings { Name = "forename", Standardise = StandardiseKind.Name },
                new ColumnSettings { Name = "dob", Standardise = StandardiseKind.Date },
                new ColumnSettings { Name = "postcode", Standardise = StandardiseKind.Text },
                new ColumnSettings { Name = "sex", Standardise = StandardiseKind.Text },
            ],
        };
        var csv = "id,forename,dob,postcode,sex\n1,Ann,1980-01-02,AB1 2CD,F\n2,Ann,1980-01-02,ZZ9 9ZZ,U\n3,Anne,1980-01-02,AB1 2CD,F\n4,Ann,1980-01-03,AB1 2CD,F\n";
        var records = new RecordSetBuilder(settings).AddCsv(new StringReader(csv), "a").Build();

        var checks = RecordChecks.Of(records, Key);

        checks.Scheme.Columns.Should().Equal("forename", "dob");
        checks.Values[1].Should().Be(checks.Values[0], "a person who moved, or whose sex code was corrected, is the same record");
        checks.Values[2].Should().NotBe(checks.Values[0]);
        checks.Values[3].Should().NotBe(checks.Values[0]);
    }

    [Fact]
    public void Of_SameContent_SameCheck_OtherContentOrKey_Differs()
    {
        var (records, _) = People(2);
        var (again, _) = People(2, r => 10 + r);
        var other = new PseudonymKey("k", Enumerable.Range(2, 32).Select(i => (byte)i).ToArray());

        var checks = RecordChecks.Of(records, Key).Values;

        RecordChecks.Of(again, Key).Values.Should().Equal(checks, "the row id is not part of the check");
        checks[0].Should().Be(checks[1], "records 0 and 1 are the same person's, with the same details");
        checks[0].Should().NotBe(checks[2]);
        RecordChecks.Of(records, other).Values.Should().NotIntersectWith(checks);
        RecordChecks.TryParse(RecordChecks.Format(checks[2]), out var parsed).Should().BeTrue();
        parsed.Should().Be(checks[2]);
    }

    [Fact]
    public void Of_IsTheHmacOfTheRecordsColumns_OnLanesAndForLongRecords()
    {
        // Short records go through the SIMD lanes, a long one (over one block) through the platform's HMAC.
        var names = new[] { "Ann", "Bob", "Cy", new string('x', 60), "Éva", "Zoë", "Li", "Mo", "Ned", "Oz" };
        var csv = new StringBuilder("id,forename,dob\n");
        for (var i = 0; i < names.Length; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i},{names[i]},{(i == 2 ? "" : "1980-01-0" + (1 + i % 9))}\n");
        }

        var set = new RecordSetBuilder(Tests.Settings.LinkageSettingsTests.ForenameAndDob()).AddCsv(new StringReader(csv.ToString()), "a").Build();
        var derived = System.Security.Cryptography.HMACSHA256.HashData(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(), "DataFirst person-id record check v1"u8);

        var checks = RecordChecks.Of(set, Key).Values;

        for (var r = 0; r < set.Count; r++)
        {
            var message = new List<byte>();
            for (var c = 0; c < set.ColumnNames.Count; c++)
            {
                var value = set.Value(r, c);
                var bytes = value is null ? [] : Encoding.UTF8.GetBytes(value);
                message.AddRange(value is null ? [(byte)0] : [(byte)(bytes.Length + 1), .. bytes]);
            }

            var mac = System.Security.Cryptography.HMACSHA256.HashData(derived, message.ToArray());
            checks[r].Should().Be(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(mac), "record {0}", r);
        }
    }

    [Fact]
    public async Task OfPartsAsync_EqualsOfTheWholeSet()
    {
        var (records, _) = People(40);
        var parts = new[] { records.Select(Enumerable.Range(0, 30).ToList()), records.Select(Enumerable.Range(30, 50).ToList()) };

        var checks = await RecordChecks.OfPartsAsync(records.Count, Key, parts.ToAsyncEnumerable());

        checks.Values.Should().Equal(RecordChecks.Of(records, Key).Values);
        checks.Scheme.Matches(RecordChecks.Of(records, Key).Scheme).Should().BeTrue();
    }

    [Fact]
    public void For_FewChangesAndMostIdsKept_NoWarning()
    {
        var report = new PersonIdReport(1000, 500, 495, 3, 1, 1, 500, 498, 1, 1, 0.99, RecordsChanged: 10);

        PersonIdWarnings.For(report).Should().BeEmpty();
    }
}
