using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class PersonIdAssignerTests
{
    private static RecordKey R(string id) => new("magistrates", id);

    private static KeyValuePair<RecordKey, string> C(string id, string cluster) => new(R(id), cluster);

    private static PersonIdAssigner Sequential()
    {
        var n = 0;
        return new PersonIdAssigner(() => $"new{++n}");
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
}
