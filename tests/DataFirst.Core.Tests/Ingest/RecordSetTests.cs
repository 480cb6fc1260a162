using DataFirst.Core.Blocking;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Tests.Ingest;

public sealed class RecordSetTests
{
    private static readonly LinkageSettings Settings = LinkageSettings.Parse(Tests.Settings.LinkageSettingsTests.Minimal)
        with { Columns = [new ColumnSettings { Name = "forename", Standardise = StandardiseKind.Name }, new ColumnSettings { Name = "dob", Standardise = StandardiseKind.Date }] };

    private static RecordSet Build(string csv) => new RecordSetBuilder(Settings).AddCsv(new StringReader(csv), "a").Build();

    [Fact]
    public void Build_CsvWithInvalidDate_CountsAndNulls()
    {
        var set = Build("id,forename,dob\n1,Bob,1980-01-02\n2,\"Smith, Jo\",31/04/1980\n3,,19800102\n");
        set.Count.Should().Be(3);
        var dob = set.Report!.Columns.Single(c => c.Column == "dob");
        dob.InvalidNulled.Should().Be(1);
        dob.Nulls.Should().Be(1);
        dob.Distinct.Should().Be(1);
    }

    [Fact]
    public void AddCsv_QuoteNeverClosed_FailsNamingInputAndLine_InsteadOfSwallowingTheRest()
    {
        var act = () => Build("id,forename,dob\n1,Bob,1980-01-02\n2,\"Ann,1981-01-02\n3,Cy,1982-01-02\n");

        act.Should().Throw<CsvFormatException>().WithMessage("input 'a': line 3: a quoted field opened on this line is never closed*")
            .Which.Message.Should().NotContain("Ann").And.NotContain("Cy");
    }

    [Fact]
    public void AddCsv_PipeDelimitedInput_IsReadByItsHeader()
    {
        var set = Build("id|forename|dob\n1|Bob|1980-01-02\n2|Smith, Jo|1981-01-02\n");

        set.Count.Should().Be(2);
        set.Value(0, set.ColumnIndex("forename")).Should().Be("BOB");
        set.UniqueId(1).Should().Be("2");
        set.Report!.Columns.Single(c => c.Column == "dob").Nulls.Should().Be(0);
    }

    [Fact]
    public void WriteToReadFrom_SelectedSubset_RoundTrips()
    {
        var set = Build("id,forename,dob\n1,Bob,1980-01-02\n2,Ann,1981-01-02\n3,Bob,1980-01-02\n");
        var sub = set.Select([2, 0]);
        using var ms = new MemoryStream();
        sub.WriteTo(ms);
        ms.Position = 0;
        var back = RecordSet.ReadFrom(ms);
        back.Count.Should().Be(2);
        back.UniqueId(0).Should().Be("3");
        back.RowId(0).Should().Be(2);
        back.Value(0, back.ColumnIndex("forename")).Should().Be("BOB");
        back.Dictionaries[0].Should().HaveCount(2, "only used values are written");
    }

    [Fact]
    public void Build_MissingColumn_NamesColumn()
    {
        var act = () => Build("id,forename\n1,Bob\n");
        act.Should().Throw<DataException>().Where(e => e.Message.Contains("'dob'"));
    }

    [Fact]
    public void Build_DuplicateId_NamesLines()
    {
        var act = () => Build("id,forename,dob\n1,Bob,1980-01-02\n1,Ann,1981-01-02\n");
        act.Should().Throw<DataException>().Where(e => e.Message.Contains("line 3") && !e.Message.Contains("Ann"));
    }

    [Fact]
    public void Build_HeaderOnly_EmptyDatasetError()
    {
        var act = () => Build("id,forename,dob\n");
        act.Should().Throw<DataException>().Where(e => e.Message.Contains("no records"));
    }

    [Fact]
    public void Build_AllNullColumn_Warns()
    {
        var set = Build("id,forename,dob\n1,Bob,\n2,Ann,\n");
        set.Report!.Warnings.Should().Contain(w => w.Contains("'dob'") && w.Contains("null in all"));
    }

    [Fact]
    public void Partition_EveryBlockPairInOnePartition()
    {
        var set = Build("id,forename,dob\n1,Bob,1980-01-02\n2,Ann,1981-01-02\n3,Bob,1980-01-02\n4,Bob,\n");
        var parts = BlockingPartitioner.Partition(set, ["forename", "dob"], 3);
        parts.SelectMany(p => p).Should().BeEquivalentTo([0, 1, 2], "the null-key record is left out");
        parts.Single(p => p.Contains(0)).Should().Contain(2);
    }

    [Fact]
    public void Analyse_OversizedBlock_ErrorNamesRuleAndSize()
    {
        var csv = "id,forename,dob\n" + string.Join("\n", Enumerable.Range(0, 10).Select(i => $"{i},Bob,1980-01-02")) + "\n";
        var set = Build(csv);
        var strict = Settings with { MaxBlockSize = 5 };
        var analysis = BlockingAnalysis.Analyse(set, strict);
        analysis.Rules[0].Comparisons.Should().Be(45);
        analysis.Rules[1].Comparisons.Should().Be(0, "pairs of the earlier rule are excluded");
        analysis.Warnings.Should().Contain(w => w.Contains("max_block_size 5"));
        var act = () => DataFirst.Core.Training.PatternCounter.CountPatterns(set, strict with { BlockingRulesForTraining = [["dob"]] }, 0);
        act.Should().Throw<BlockingException>().Where(e => e.Message.Contains("10 records") && e.Message.Contains("dob"));
    }
}
