using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Tests.Ingest;

public sealed class CsvColumnsTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"csvcolumns-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void Read_ReturnsTheAskedColumnsInOrder_Trimmed_WithTheirLines()
    {
        File.WriteAllText(_file, "x,  id , label\n1, a ,\" L1 \"\n\n2,b,\"two\nlines\"\n3,c,L3\n");

        var rows = CsvColumns.Read(_file, "t", ["label"], ["id"]).ToList();

        rows.Select(r => r.Values).Should().BeEquivalentTo(new[] { new[] { "L1", "a" }, ["two\nlines", "b"], ["L3", "c"] }, o => o.WithStrictOrdering());
        rows.Select(r => r.Line).Should().Equal(2, 4, 6);
    }

    [Theory]
    [InlineData('|')]
    [InlineData('\t')]
    [InlineData(';')]
    public void Read_HeaderDelimitedOtherwise_IsDetected(char delimiter)
    {
        File.WriteAllText(_file, $"id{delimiter}label\na{delimiter}1\nb,c{delimiter}2\n");

        var rows = CsvColumns.Read(_file, "t", ["id"], ["label"]).Select(r => r.Values).ToList();

        rows.Should().BeEquivalentTo(new[] { new[] { "a", "1" }, ["b,c", "2"] }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Read_TakesTheFirstAcceptedNameThatIsPresent()
    {
        File.WriteAllText(_file, "match,id\n1,a\n");

        CsvColumns.Read(_file, "t", ["clerical_match_score", "match"]).Single().Values.Should().Equal("1");
    }

    [Fact]
    public void Read_MissingColumn_NamesItsAcceptedNamesAndTheHeader()
    {
        File.WriteAllText(_file, "id,other\na,1\n");

        var act = () => CsvColumns.Read(_file, "--labels 'f'", ["id"], ["clerical_match_score", "match"]).ToList();

        act.Should().Throw<DataException>().WithMessage("--labels 'f' lacks column(s) clerical_match_score or match; its header has: id, other.");
    }

    [Fact]
    public void Read_FileWithoutHeaderRow_MissingColumnError_DoesNotEchoTheFirstLine()
    {
        File.WriteAllText(_file, "rec-1496-org, mitchell, green, 7, wallaby place\nrec-2, ann, brown, 9, high street\n");

        var act = () => CsvColumns.Read(_file, "--truth 't'", ["unique_id"], ["cluster"]).ToList();

        act.Should().Throw<DataException>().WithMessage("--truth 't' lacks column(s) unique_id, cluster; its first line has 5 cell(s) that do not all look like column names, so they are not shown: it may be data rather than a header; if the file has no header row, add one naming its columns.")
            .Which.Message.Should().NotContain("mitchell").And.NotContain("1496");
    }

    [Fact]
    public void Read_FirstLineOfDataWithTwoEqualCells_DoesNotEchoThem()
    {
        File.WriteAllText(_file, "7,Smith,Smith,1971-06-24\n");

        var act = () => CsvColumns.Read(_file, "t", ["unique_id"]).ToList();

        act.Should().Throw<DataException>().WithMessage("t: cells 2 and 3 of the first line are equal (ignoring case); its first line has 4 cell(s)*")
            .Which.Message.Should().NotContain("Smith");
    }

    [Fact]
    public void Read_BytesThatAreNotUtf8_FailNamingTheLine()
    {
        File.WriteAllBytes(_file, System.Text.Encoding.Latin1.GetBytes("unique_id,cluster\nx\u00e9,1\nx\u00e8,2\n"));

        var act = () => CsvColumns.Read(_file, "--truth 't'", ["unique_id"], ["cluster"]).ToList();

        act.Should().Throw<DataException>().WithMessage("--truth 't' line 2: bytes that are not valid UTF-8 (re-save the file as UTF-8).");
    }

    [Fact]
    public void Read_RowOfAnotherWidth_NamesTheLine_NotItsValues()
    {
        File.WriteAllText(_file, "id,label\na,1\nsecret-value\n");

        var act = () => CsvColumns.Read(_file, "t", ["id"], ["label"]).ToList();

        act.Should().Throw<DataException>().Where(e => e.Message == "t line 3: 1 field(s) where the header has 2." && !e.Message.Contains("secret"));
    }

    [Fact]
    public void Read_EmptyFile_SaysSo()
    {
        File.WriteAllText(_file, "");

        var act = () => CsvColumns.Read(_file, "t", ["id"]).ToList();

        act.Should().Throw<DataException>().WithMessage("t is empty*");
    }

    [Fact]
    public void Read_HeaderNames_AreMatchedIgnoringCase_AndARepeatedNameIsRefused()
    {
        File.WriteAllText(_file, "Unique_ID,LABEL\na,1\n");
        CsvColumns.Read(_file, "t", ["unique_id"], ["label"]).Single().Values.Should().Equal("a", "1");

        File.WriteAllText(_file, "id,ID\na,1\n");
        var act = () => CsvColumns.Read(_file, "t", ["id"]).ToList();
        act.Should().Throw<DataException>().WithMessage("t: column 'ID' appears twice in the header*");
    }

    [Fact]
    public void Open_OptionalColumns_ReadEmptyWhenAbsent_AndSayWhetherPresent()
    {
        File.WriteAllText(_file, "id,label\na,1\n");

        using var file = CsvColumnFile.Open(_file, "t", [["id"]], [["source_dataset"], ["label"]]);

        (file.Has(0), file.Has(1), file.Has(2)).Should().Be((true, false, true));
        file.Rows().Single().Values.Should().Equal("a", "", "1");
    }
}
