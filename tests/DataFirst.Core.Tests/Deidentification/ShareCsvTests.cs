using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class ShareCsvTests
{
    [Fact]
    public async Task ReadRowAsync_QuotedFieldsAndLineEnds_ParsesRfc4180()
    {
        var csv = new ShareCsvReader(new StringReader("a,b,c\r\n\"x,1\",\"he said \"\"hi\"\"\",\"two\nlines\"\n\nlast,,\n"), "t");

        var header = await csv.ReadHeaderAsync();
        var r1 = await csv.ReadRowAsync();
        var r2 = await csv.ReadRowAsync();
        var end = await csv.ReadRowAsync();

        header.Names.Should().Equal("a", "b", "c");
        r1.Should().Equal("x,1", "he said \"hi\"", "two\nlines");
        r2.Should().Equal("last", string.Empty, string.Empty);
        end.Should().BeNull();
    }

    [Fact]
    public async Task ReadRowAsync_UnterminatedQuote_ErrorNamesRowNotValue()
    {
        var csv = new ShareCsvReader(new StringReader("a\n\"Secretname\n"), "extract x");
        await csv.ReadHeaderAsync();

        var act = async () => await csv.ReadRowAsync();

        (await act.Should().ThrowAsync<DeidentificationException>()).Which.Message.Should().Contain("extract x").And.Contain("row 2").And.NotContain("Secretname");
    }

    [Fact]
    public async Task ReadHeaderAsync_ByteOrderMark_IsRemoved()
    {
        var csv = new ShareCsvReader(new StringReader("\uFEFFrow_id,x\n"), "t");

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
    public async Task WriteRowAsync_QuotesWhenNeeded_RoundTrips()
    {
        var sw = new StringWriter();
        var writer = new ShareCsvWriter(sw);

        await writer.WriteRowAsync(["a,b", "q\"q", "line\nbreak", "plain"]);
        var row = await new ShareCsvReader(new StringReader(sw.ToString()), "t").ReadRowAsync();

        sw.ToString().Should().Be("\"a,b\",\"q\"\"q\",\"line\nbreak\",plain\n");
        row.Should().Equal("a,b", "q\"q", "line\nbreak", "plain");
    }
}
