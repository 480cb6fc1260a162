using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class PersonIdAssignerTests
{
    private static RecordKey R(string id) => new("magistrates", id);

    private static KeyValuePair<RecordKey, string> C(string id, string cluster) => new(R(id), cluster);

    /// <summary>Ids {prefix}1, {prefix}2, …: predictable, and fresh on a refresh given another prefix.</summary>
    internal static PersonIdAssigner Sequential(string prefix = "new")
    {
        var n = 0;
        return new PersonIdAssigner(() => $"{prefix}{++n}");
    }

    [Fact]
    public void Assign_FirstRun_EveryClusterGetsANewIdSharedByItsRecords()
    {
        var result = Sequential().Assign([C("1", "a"), C("2", "a"), C("3", "b")], null);

        result.Mapping[R("1")].Should().Be(result.Mapping[R("2")]).And.NotBe(result.Mapping[R("3")]);
        result.Report.Should().BeEquivalentTo(new { Records = 3, Clusters = 2, Kept = 0, New = 2, SplitClusters = 0, MergedClusters = 0, PreviousPersons = 0, KeptShare = 1.0 });
    }

    [Fact]
    public void Assign_PersistingClusterWithNewRecord_KeepsItsId()
    {
        var previous = new Dictionary<RecordKey, string> { [R("1")] = "P1", [R("2")] = "P1", [R("3")] = "P2" };

        var result = Sequential().Assign([C("1", "x"), C("2", "x"), C("9", "x"), C("3", "y"), C("4", "z")], previous);

        result.Mapping[R("9")].Should().Be("P1");
        result.Mapping[R("3")].Should().Be("P2");
        result.Mapping[R("4")].Should().Be("new1");
        result.Report.Kept.Should().Be(2);
        result.Report.New.Should().Be(1);
        result.Report.KeptShare.Should().Be(1.0);
    }

    [Fact]
    public void Assign_Split_BothPiecesGetNewIds()
    {
        var previous = new Dictionary<RecordKey, string> { [R("1")] = "P1", [R("2")] = "P1" };

        var result = Sequential().Assign([C("1", "x"), C("2", "y")], previous);

        result.Mapping.Values.Should().NotContain("P1");
        result.Mapping[R("1")].Should().NotBe(result.Mapping[R("2")]);
        result.Report.SplitClusters.Should().Be(2);
        result.Report.PreviousPersonsSplit.Should().Be(1);
        result.Report.Kept.Should().Be(0);
        result.Report.KeptShare.Should().Be(0);
    }

    [Fact]
    public void Assign_Merge_GetsNewIdAndIsCounted()
    {
        var previous = new Dictionary<RecordKey, string> { [R("1")] = "P1", [R("2")] = "P2", [R("3")] = "P3" };

        var result = Sequential().Assign([C("1", "x"), C("2", "x"), C("3", "y")], previous);

        result.Mapping[R("1")].Should().Be(result.Mapping[R("2")]).And.NotBe("P1").And.NotBe("P2");
        result.Mapping[R("3")].Should().Be("P3");
        result.Report.MergedClusters.Should().Be(1);
        result.Report.PreviousPersonsMerged.Should().Be(2);
        result.Report.Kept.Should().Be(1);
        result.Report.PreviousPersons.Should().Be(3);
    }

    [Fact]
    public void Assign_PersonWhoseRecordsLeftTheExtract_IsNotCountedAsPresent()
    {
        var previous = new Dictionary<RecordKey, string> { [R("1")] = "P1", [R("2")] = "P2" };

        var result = Sequential().Assign([C("1", "x")], previous);

        result.Report.PreviousPersons.Should().Be(2);
        result.Report.PreviousPersonsPresent.Should().Be(1);
        result.Report.KeptShare.Should().Be(1.0);
    }

    [Fact]
    public void Assign_GeneratorRepeatsAPreviousId_NeverReusesIt()
    {
        var ids = new Queue<string>(["P1", "P1", "fresh"]);
        var previous = new Dictionary<RecordKey, string> { [R("1")] = "P1" };

        var result = new PersonIdAssigner(ids.Dequeue).Assign([C("1", "x"), C("2", "y")], previous);

        result.Mapping[R("2")].Should().Be("fresh");
    }

    [Fact]
    public void Assign_RecordInTwoClusters_IsRefused()
    {
        var act = () => Sequential().Assign([C("1", "x"), C("1", "y")], null);

        act.Should().Throw<DeidentificationException>().WithMessage("*appears twice*");
    }

    [Fact]
    public void RandomId_IsUnpredictable()
    {
        PersonIdAssigner.RandomId().Should().NotBe(PersonIdAssigner.RandomId()).And.MatchRegex("^p[0-9a-f]{32}$");
    }

    [Fact]
    public void Assign_Arrays_GiveTheSameAsTheClusterList_AndAMapSortedByRecord()
    {
        var rng = new Random(4);
        var datasets = new[] { "prisons", "magistrates", "crown_court" };
        var list = Enumerable.Range(0, 3000)
            .Select(i => new KeyValuePair<RecordKey, string>(new RecordKey(datasets[i % 3], (i * 7919 % 5003).ToString(System.Globalization.CultureInfo.InvariantCulture)), "c" + rng.Next(900)))
            .DistinctBy(kv => kv.Key)
            .ToList();
        // Most previous people are today's clusters; every tenth record had another person's id (merges and splits).
        var previous = list.Where((_, i) => i % 4 != 0).Select((kv, i) => (kv.Key, Id: i % 10 == 0 ? "P" + rng.Next(900) : "P" + kv.Value))
            .ToDictionary(x => x.Key, x => x.Id);

        var fromList = Sequential().Assign(list, previous);
        var keys = list.Select(kv => kv.Key).ToArray();
        var clusterOf = list.Select(kv => int.Parse(kv.Value[1..], System.Globalization.CultureInfo.InvariantCulture) * 3).ToArray(); // any numbering
        Array.Sort(keys, clusterOf, RecordKey.Order);
        var fromArrays = Sequential().Assign(keys, clusterOf, previous);

        fromArrays.Report.Should().Be(fromList.Report);
        fromArrays.Mapping.Should().BeEquivalentTo(fromList.Mapping);
        fromArrays.Mapping.Keys.Should().Equal(keys, "enumerated in record order");
        fromArrays.Report.Kept.Should().BeGreaterThan(0);
        fromArrays.Report.MergedClusters.Should().BeGreaterThan(0);
        fromArrays.Report.New.Should().BeGreaterThan(0);
        fromArrays.Mapping.TryGetValue(new RecordKey("probation", "1"), out _).Should().BeFalse();
        var missing = () => fromArrays.Mapping[new RecordKey("magistrates", "secret-row")];
        missing.Should().Throw<KeyNotFoundException>().Which.Message.Should().NotContain("secret-row");
    }

    [Fact]
    public void Assign_Arrays_UnsortedOrRepeatedRecords_AreRefusedWithoutTheRowId()
    {
        var unsorted = () => Sequential().Assign([R("2"), R("1")], [0, 1], null);
        unsorted.Should().Throw<ArgumentException>().WithMessage("*sorted*");

        var twice = () => Sequential().Assign([R("secret7"), R("secret7")], [0, 1], null);
        twice.Should().Throw<DeidentificationException>().WithMessage("*appears twice*").Which.Message.Should().NotContain("secret7");
    }
}
