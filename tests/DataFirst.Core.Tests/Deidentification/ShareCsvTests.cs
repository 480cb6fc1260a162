using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class ShareCsvTests
{
    [Fact]
    public async Task ReadHeaderAsync_RepeatedColumn_FailsNamingIt()
    {
        var csv = new CsvReader(new StringReader("row_id,x,X\n"), "t");

        var act = async () => await csv.ReadHeaderAsync();

        (await act.Should().ThrowAsync<DeidentificationException>()).Which.Message.Should().Contain("'X' appears twice");
    }

    [Fact]
    public async Task ReadHeaderAsync_ByteOrderMark_IsRemoved()
    {
        var csv = new CsvReader(new StringReader("\uFEFFrow_id,x\n"), "t");

        (await csv.ReadHeaderAsync()).IndexOf("row_id").Should().Be(0);
    }

    [Theory]
    [InlineData("=SUM(A1)", false, "'=SUM(A1)")]
    [InlineData("+1+1", false, "'+1+1")]
    [InlineData("-1", false, "'-1")]
    [InlineData("-1", true, "-1")]
    [InlineData("-1+cmd", true, "'-1+cmd")]
    [InlineData("@x", false, "'@x")]
    [InlineData("\tx", false, "'\tx")]
    [InlineData("\rx", false, "'\rx")]
    [InlineData("plain", false, "plain")]
    [InlineData("", false, "")]
    public void Neutralise_FormulaLikeCells_GetApostrophe(string value, bool numeric, string expected)
    {
        ShareCsvWriter.Neutralise(value, numeric).Should().Be(expected);
    }

    [Fact]
    public void AppendRow_RowReadInPlace_WritesWhatItsStringsWrite()
    {
        var csv = new CsvReader(new StringReader("\"a,b\",\"say \"\"x\"\"\",\"two\nlines\",\" pad \",plain,\n"), "t");
        var row = csv.ReadRowInPlace()!;
        var strings = row.ToArray();

        var fromSpans = ShareCsvWriter.AppendRow(new System.Text.StringBuilder(), row).ToString();

        fromSpans.Should().Be(ShareCsvWriter.FormatRow(strings)).And.Be("\"a,b\",\"say \"\"x\"\"\",\"two\nlines\",\" pad \",plain,");
    }

    [Fact]
    public async Task WriteRowAsync_QuotesWhenNeeded_RoundTrips()
    {
        var sw = new StringWriter();
        var writer = new ShareCsvWriter(sw);

        await writer.WriteRowAsync(["a,b", "q\"q", "line\nbreak", "plain"]);
        var row = await new CsvReader(new StringReader(sw.ToString()), "t").ReadRowAsync();

        sw.ToString().Should().Be("\"a,b\",\"q\"\"q\",\"line\nbreak\",plain\n");
        row.Should().Equal("a,b", "q\"q", "line\nbreak", "plain");
    }
}
