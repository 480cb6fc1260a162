using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Tests.Ingest;

public sealed class CsvReaderTests
{
    /// <summary>Each case runs synchronously and asynchronously, over whole buffers and one character per read
    /// (so every state of the reader is crossed by a buffer boundary).</summary>
    public static TheoryData<bool, bool> Modes => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ReadRow_Rfc4180_QuotesDoubledQuotesLineBreaksAndEmptyFields(bool async, bool trickle)
    {
        var rows = await ReadAll("a,b,c\r\n\"x,1\",\"he said \"\"hi\"\"\",\"two\nlines\"\r\n\n\nlast,,\r", async, trickle);

        rows.Should().HaveCount(3);
        rows[0].Should().Equal("a", "b", "c");
        rows[1].Should().Equal("x,1", "he said \"hi\"", "two\nlines");
        rows[2].Should().Equal("last", string.Empty, string.Empty);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ReadRow_TrimUnquoted_TrimsBlanksAroundFieldsButNotInsideQuotes(bool async, bool trickle)
    {
        var trimmed = await ReadAll("rec_id, given_name , surname\nrec-1-org,  \" Jo \" , smith \n", async, trickle, trim: true);
        var kept = await ReadAll("a, b \n", async, trickle);

        trimmed[0].Should().Equal("rec_id", "given_name", "surname");
        trimmed[1].Should().Equal("rec-1-org", " Jo ", "smith");
        kept[0].Should().Equal("a", " b ");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ReadRow_ByteOrderMarkAndNoFinalLineEnd_AreHandled(bool async, bool trickle)
    {
        var rows = await ReadAll("\uFEFFrow_id,x\n1,2", async, trickle);

        rows.Should().HaveCount(2);
        rows[0][0].Should().Be("row_id");
        rows[1].Should().Equal("1", "2");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ReadRow_StrayQuotes_KeepEveryCharacter(bool async, bool trickle)
    {
        // A quote inside an unquoted field is a character; characters after a closing quote are kept, not dropped.
        var rows = await ReadAll("O\"Brien,\"ab\"c,d\n", async, trickle);

        rows[0].Should().Equal("O\"Brien", "abc", "d");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task LineNumber_NamesTheFirstAndLastLineOfEachRow_CountingLinesInsideQuotes(bool async, bool trickle)
    {
        var csv = new CsvReader(Trickle("h1,h2\r\n\r\n\"a\r\nb\nc\",d\r\ne,f\n", trickle), "t");
        var seen = new List<(long, long)>();
        while ((async ? await csv.ReadRowAsync() : csv.ReadRow()) is not null)
        {
            seen.Add((csv.LineNumber, csv.EndLineNumber));
        }

        seen.Should().Equal((1L, 1L), (3L, 5L), (6L, 6L));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ReadRow_QuoteNeverClosed_FailsNamingSourceAndTheLineItOpens_NotTheValue(bool async, bool trickle)
    {
        var csv = new CsvReader(Trickle("id,name\n1,Ann\n2,\"Secretname\n3,Bob\n", trickle), "extract x");

        var act = async () =>
        {
            while ((async ? await csv.ReadRowAsync() : csv.ReadRow()) is not null)
            {
            }
        };

        var error = (await act.Should().ThrowAsync<CsvFormatException>()).Which;
        error.Line.Should().Be(3);
        error.Input.Should().Be("extract x");
        error.Message.Should().StartWith("extract x: line 3: a quoted field opened on this line is never closed").And.NotContain("Secretname").And.NotContain("Bob");
    }

    [Theory]
    [InlineData("id,name\n1,\"Secret\n" + "2,xxxxxxxxxx\n3,yyyyyyyyyy\n4,zzzzzzzzzz\n\"\n", 2, "probably never closed")]
    [InlineData("id,name\n1,Secretxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", 2, "check the delimiter")]
    public void ReadRow_FieldLongerThanTheLimit_FailsBeforeHoldingIt(string text, long line, string hint)
    {
        var csv = new CsvReader(new StringReader(text), "big.csv", maxFieldLength: 30);

        var act = () =>
        {
            while (csv.ReadRow() is not null)
            {
            }
        };

        var error = act.Should().Throw<CsvFormatException>().Which;
        error.Line.Should().Be(line);
        error.Message.Should().Contain("longer than 30 characters").And.Contain(hint).And.NotContain("Secret");
    }

    [Theory]
    [InlineData('\t')]
    [InlineData('|')]
    public void ReadRow_OtherDelimiter_SplitsOnIt(char delimiter)
    {
        var csv = new CsvReader(new StringReader($"a{delimiter}\"b{delimiter}c\"{delimiter}d,e\n"), "t", delimiter: delimiter);

        csv.ReadRow().Should().Equal("a", $"b{delimiter}c", "d,e");
    }

    [Theory]
    [InlineData("id|name|dob\n1|Smith, Jo|1980\n", '|')]
    [InlineData("id\tname\tdob\n1\tSmith, Jo\t1980\n", '\t')]
    [InlineData("id;name;dob\n1;Smith, Jo;1980\n", ';')]
    public void ReadHeader_HeaderWithoutCommas_TakesTheDelimiterThatFindsTheColumns(string text, char delimiter)
    {
        var csv = new CsvReader(new StringReader(text), "t");

        var header = csv.ReadHeader(h => new[] { "id", "name", "dob" }.Except(h).Count());

        header.Should().Equal("id", "name", "dob");
        csv.Delimiter.Should().Be(delimiter);
        csv.ReadRow().Should().Equal("1", "Smith, Jo", "1980");
    }

    [Theory]
    [InlineData("id|name\n1|x\n", new[] { "id|name" }, new[] { "id|name" })] // one column named so: nothing is missing
    [InlineData("a|b\n1|x\n", new[] { "id", "name" }, new[] { "a|b" })] // no split finds a wanted column: left as read
    [InlineData("id,name\n1,x\n", new[] { "id", "name" }, new[] { "id", "name" })]
    public void ReadHeader_CommaHeaderOrNothingBetter_KeepsTheComma(string text, string[] wanted, string[] expected)
    {
        var csv = new CsvReader(new StringReader(text), "t");

        csv.ReadHeader(h => wanted.Except(h).Count()).Should().Equal(expected);
        csv.Delimiter.Should().Be(',');
        csv.Invoking(c => c.Delimiter = '"').Should().Throw<ArgumentException>();
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ReadRow_WhatTheShareWriterWrites_RoundTrips(bool async, bool trickle)
    {
        var random = new Random(11);
        const string alphabet = "ab ,\"\r\n'=é";
        var written = Enumerable.Range(0, 200)
            .Select(_ => Enumerable.Range(0, 4).Select(_ => new string(Enumerable.Range(0, random.Next(0, 8)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray())).ToArray())
            .Where(r => r.Any(f => f.Length > 0))
            .ToList();
        var text = string.Concat(written.Select(r => ShareCsvWriter.FormatRow(r) + "\n"));

        var read = await ReadAll(text, async, trickle);

        read.Should().HaveCount(written.Count);
        for (var i = 0; i < written.Count; i++)
        {
            read[i].Should().Equal(written[i], $"row {i + 1} was written that way");
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task KeepOnly_KeptColumnsAsReadInFull_OthersNull_RowsAndLinesUnchanged(bool async, bool trickle)
    {
        // Skipped fields hold quotes, doubled quotes, delimiters and line breaks; a blank line and a row past the kept
        // columns' end; trimming applies to kept fields as before.
        const string text = "a,b,c,d\n\"x\ny\", 1 ,\"p,\"\"q\"\"\",z\n\n \"k\" ,2,\"m\nn\",w,extra\n";
        var full = await ReadAll(text, async, trickle, trim: true);
        var csv = new CsvReader(Trickle(text, trickle), "t", trimUnquoted: true);
        csv.KeepOnly([1]);
        var rows = new List<string[]>();
        var lines = new List<(long, long)>();
        while ((async ? await csv.ReadRowAsync() : csv.ReadRow()) is { } row)
        {
            rows.Add(row);
            lines.Add((csv.LineNumber, csv.EndLineNumber));
        }

        rows.Select(r => r.Length).Should().Equal(full.Select(r => r.Length));
        rows.Select(r => r[1]).Should().Equal(full.Select(r => r[1])).And.Equal("b", "1", "2");
        rows.SelectMany(r => r.Where((_, i) => i != 1)).Should().AllSatisfy(f => f.Should().BeNull());
        lines.Should().Equal((1L, 1L), (2L, 3L), (5L, 6L));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadRowInPlace_GivesWhatReadRowGives_AsSpansOverOneBuffer(bool trickle)
    {
        // Quotes, doubled quotes, line breaks inside quotes, blanks trimmed, a blank line, empty fields, a long field
        // (the row buffer grows), a row of many fields (so does the list of field ends), no final line end.
        var text = "a, b ,c\n\"x,1\",\"he said \"\"hi\"\"\",\"two\nlines\"\n\n" + new string('L', 1000) + ",,\n"
            + string.Join(',', Enumerable.Range(0, 40)) + "\nlast";
        var expected = await ReadAll(text, async: false, trickle, trim: true);
        var csv = new CsvReader(Trickle(text, trickle), "t", trimUnquoted: true);
        var rows = new List<string[]>();

        while (csv.ReadRowInPlace() is { } row)
        {
            var spans = Enumerable.Range(0, row.Count).Select(i => row.Span(i).ToString()).ToArray();
            spans.Should().Equal(row.ToArray());
            row.AllFields.ToString().Should().Be(string.Concat(spans));
            rows.Add(spans);
        }

        rows.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        rows.Should().HaveCount(5);
        rows[0].Should().Equal("a", "b", "c");
        rows[1].Should().Equal("x,1", "he said \"hi\"", "two\nlines");
        rows[2].Should().Equal(new string('L', 1000), string.Empty, string.Empty);
        rows[3].Should().Equal(Enumerable.Range(0, 40).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        rows[4].Should().Equal("last");
        csv.ReadRowInPlace().Should().BeNull();
    }

    [Fact]
    public void KeepOnly_SkippedFieldLongerThanTheLimit_StillFails()
    {
        var csv = new CsvReader(new StringReader("id,name\n1,Secretxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"), "big.csv", maxFieldLength: 30);
        csv.KeepOnly([0]);

        var act = () =>
        {
            while (csv.ReadRow() is not null)
            {
            }
        };

        act.Should().Throw<CsvFormatException>().Which.Message.Should().Contain("longer than 30 characters").And.NotContain("Secret");
    }

    [Fact]
    public void KeepOnly_ColumnNotKept_ThrowsWhenAskedInPlace()
    {
        var csv = new CsvReader(new StringReader("a,b\n"), "t");
        csv.KeepOnly([0]);
        var row = csv.ReadRowInPlace()!;

        row[0].Should().Be("a");
        row.ToArray().Should().Equal("a", null);
        var act = () => row[1];
        act.Should().Throw<InvalidOperationException>().WithMessage("*column 1 is not kept*");
    }

    [Fact]
    public void KeepOnly_NegativeColumn_Throws()
    {
        var csv = new CsvReader(new StringReader("a\n"), "t");

        var act = () => csv.KeepOnly([-1]);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static async Task<List<string[]>> ReadAll(string text, bool async, bool trickle, bool trim = false)
    {
        var csv = new CsvReader(Trickle(text, trickle), "t", trimUnquoted: trim);
        var rows = new List<string[]>();
        while ((async ? await csv.ReadRowAsync() : csv.ReadRow()) is { } row)
        {
            rows.Add(row);
        }

        return rows;
    }

    private static TextReader Trickle(string text, bool trickle) => trickle ? new OneCharReader(text) : new StringReader(text);

    /// <summary>Hands out one character per read, synchronously or not.</summary>
    private sealed class OneCharReader(string text) : TextReader
    {
        private int _next;

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (_next >= text.Length || buffer.Length == 0)
            {
                return 0;
            }

            buffer[0] = text[_next++];
            return 1;
        }

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
