using DataFirst.Core.Blocking;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Tests.Ingest;

public sealed class RecordSetTests
{
    private static readonly LinkageSettings Settings = Tests.Settings.LinkageSettingsTests.ForenameAndDob();

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
    public void Concatenation_OfSeveralStreams_ReinternsValues_MergesSources_AndRenumbersRows()
    {
        var a = new RecordSetBuilder(Settings).AddCsv(new StringReader("id,forename,dob\n1,Bob,1980-01-02\n2,Ann,\n"), "a").Build();
        var b = new RecordSetBuilder(Settings).AddCsv(new StringReader("id,forename,dob\n7,Cy,1980-01-02\n8,Ann,1981-05-06\n9,,1981-05-06\n"), "b").Build();
        var parts = new[] { Bytes(a.Select([1, 0])), Bytes(b), Bytes(a.Select([0])) };

        var counts = parts.Select(p => RecordSet.ReadCount(new MemoryStream(p))).ToList();
        var all = new RecordSetConcatenation(counts[0].Columns, counts.Sum(c => c.Count));
        foreach (var part in parts)
        {
            all.Append(new MemoryStream(part));
        }

        var set = all.Build();
        set.Count.Should().Be(6);
        Enumerable.Range(0, 6).Select(set.UniqueId).Should().Equal("2", "1", "7", "8", "9", "1");
        Enumerable.Range(0, 6).Select(set.SourceDataset).Should().Equal("a", "a", "b", "b", "b", "a");
        Enumerable.Range(0, 6).Select(set.RowId).Should().Equal(0, 1, 2, 3, 4, 5);
        var forename = set.ColumnIndex("forename");
        var dob = set.ColumnIndex("dob");
        Enumerable.Range(0, 6).Select(i => set.Value(i, forename)).Should().Equal("ANN", "BOB", "CY", "ANN", null, "BOB");
        Enumerable.Range(0, 6).Select(i => set.Value(i, dob)).Should().Equal(null, "1980-01-02", "1980-01-02", "1981-05-06", "1981-05-06", "1980-01-02");
        set.Codes[forename][0].Should().Be(set.Codes[forename][3], "equal values share one code across parts");
        set.Codes[dob][1].Should().Be(set.Codes[dob][2]);
        set.Dictionaries[forename].Should().HaveCount(4, "null placeholder + ANN, BOB, CY");
    }

    [Fact]
    public void Concatenation_WithoutIds_ReadsPastThem_KeepsEverythingElse_AndRefusesToNameARecord()
    {
        var a = new RecordSetBuilder(Settings).AddCsv(new StringReader("id,forename,dob\nsecret-1,Bob,1980-01-02\nsecret-2,Ann,\n"), "a").Build();
        var b = new RecordSetBuilder(Settings).AddCsv(new StringReader("id,forename,dob\n7,Cy,1980-01-02\n"), "b").Build();
        RecordSet Read(bool keepIds)
        {
            var all = new RecordSetConcatenation(a.ColumnNames, 3, keepIds: keepIds);
            all.Append(new MemoryStream(Bytes(a)));
            all.Append(new MemoryStream(Bytes(b)));
            return all.Build();
        }

        var with = Read(keepIds: true);
        var without = Read(keepIds: false);

        without.Count.Should().Be(3);
        Enumerable.Range(0, 3).Select(without.SourceDataset).Should().Equal(Enumerable.Range(0, 3).Select(with.SourceDataset));
        Enumerable.Range(0, 3).Select(without.RowId).Should().Equal(0, 1, 2);
        without.Codes.Should().BeEquivalentTo(with.Codes, o => o.WithStrictOrdering());
        without.Dictionaries.Should().BeEquivalentTo(with.Dictionaries, o => o.WithStrictOrdering());
        without.Select([2, 0]).Count.Should().Be(2);
        var name = () => without.UniqueId(0);
        name.Should().Throw<InvalidOperationException>().WithMessage("*without its unique ids*").Which.Message.Should().NotContain("secret");
        var write = () => without.WriteTo(new MemoryStream());
        write.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Concatenation_PartsThatDoNotMatchTheAnnouncedCount_OrOtherColumns_Fail()
    {
        var set = Build("id,forename,dob\n1,Bob,1980-01-02\n2,Ann,1981-01-02\n");
        var part = Bytes(set);

        var tooFew = new RecordSetConcatenation(set.ColumnNames, 3);
        tooFew.Append(new MemoryStream(part));
        var tooMany = new RecordSetConcatenation(set.ColumnNames, 1);
        var otherColumns = new RecordSetConcatenation(["forename"], 2);

        tooFew.Invoking(c => c.Build()).Should().Throw<DataFirst.Core.Settings.FormatException>().WithMessage("*held 2 records where 3 were announced*");
        tooMany.Invoking(c => c.Append(new MemoryStream(part))).Should().Throw<DataFirst.Core.Settings.FormatException>();
        otherColumns.Invoking(c => c.Append(new MemoryStream(part))).Should().Throw<DataException>().WithMessage("*different columns*");
        var truncated = part[..(part.Length - 3)];
        FluentActions.Invoking(() => RecordSet.ReadFrom(new MemoryStream(truncated))).Should().Throw<DataFirst.Core.Settings.FormatException>().WithMessage("*truncated*");
    }

    [Theory]
    [InlineData("dob")]
    [InlineData("")]
    public void Concatenation_KeepingSomeColumns_ReadsPastTheOthers_WithTheSameRecords(string columns)
    {
        var keep = columns.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var a = new RecordSetBuilder(Settings).AddCsv(new StringReader("id,forename,dob\n1,Bob,1980-01-02\n2,Zoë,\n"), "a").Build();
        var b = new RecordSetBuilder(Settings).AddCsv(new StringReader($"id,forename,dob\n7,{new string('Q', 70_000)},1980-01-02\n8,Ann,1981-05-06\n"), "b").Build();
        var parts = new[] { Bytes(a), Bytes(b) };

        var full = new RecordSetConcatenation(a.ColumnNames, 4);
        var some = new RecordSetConcatenation(a.ColumnNames, 4, keep: keep);
        foreach (var part in parts)
        {
            full.Append(new MemoryStream(part));
            some.Append(new BufferedStream(new MemoryStream(part), 16)); // the long value straddles many refills
        }

        var (all, kept) = (full.Build(), some.Build());
        kept.ColumnNames.Should().Equal(keep);
        kept.Count.Should().Be(4);
        Enumerable.Range(0, 4).Select(kept.UniqueId).Should().Equal(Enumerable.Range(0, 4).Select(all.UniqueId));
        Enumerable.Range(0, 4).Select(kept.SourceDataset).Should().Equal("a", "a", "b", "b");
        Enumerable.Range(0, 4).Select(kept.RowId).Should().Equal(0, 1, 2, 3);
        foreach (var column in keep)
        {
            Enumerable.Range(0, 4).Select(i => kept.Value(i, kept.ColumnIndex(column))).Should().Equal(Enumerable.Range(0, 4).Select(i => all.Value(i, all.ColumnIndex(column))));
        }
    }

    [Fact]
    public void Concatenation_KeepingSomeColumns_StillChecksTheOthers_AndRefusesAnUnknownOne()
    {
        var set = Build("id,forename,dob\n1,Bob,1980-01-02\n2,Ann,1981-01-02\n");
        var part = Bytes(set);
        // The last byte is the second record's dob code (1-2, two values): 9 is out of range; forename is read past.
        var corrupt = (byte[])part.Clone();
        corrupt[^1] = 9;

        var skipDob = new RecordSetConcatenation(set.ColumnNames, 2, keep: ["forename"]);
        skipDob.Invoking(c => c.Append(new MemoryStream(corrupt))).Should().Throw<DataFirst.Core.Settings.FormatException>().WithMessage("*corrupt*column 'dob'*");
        var truncated = new RecordSetConcatenation(set.ColumnNames, 2, keep: []);
        truncated.Invoking(c => c.Append(new MemoryStream(part[..(part.Length - 8)]))).Should().Throw<DataFirst.Core.Settings.FormatException>().WithMessage("*truncated*");
        FluentActions.Invoking(() => new RecordSetConcatenation(set.ColumnNames, 2, keep: ["surname"])).Should().Throw<DataException>().WithMessage("column 'surname' is not in the record sets*");
    }

    private static byte[] Bytes(RecordSet set)
    {
        using var ms = new MemoryStream();
        set.WriteTo(ms);
        return ms.ToArray();
    }

    [Fact]
    public void Build_MissingColumn_NamesColumn()
    {
        var act = () => Build("id,forename\n1,Bob\n");
        act.Should().Throw<DataException>().Where(e => e.Message.Contains("'dob'"));
    }

    [Fact]
    public void Build_ColumnTheSettingsUseNamedTwice_FailsNamingIt_AnUnusedRepeatIsHarmless()
    {
        var used = () => Build("id,forename,dob,forename\n1,Bob,1980-01-02,Robert\n");
        var unused = Build("id,forename,dob,note,note\n1,Bob,1980-01-02,a,b\n");

        used.Should().Throw<DataException>().WithMessage("input 'a': column 'forename' (source of standardised column 'forename') is named more than once in the header; rename or drop one.");
        unused.Count.Should().Be(1);
    }

    [Fact]
    public void Build_DuplicateId_NamesLines()
    {
        var act = () => Build("id,forename,dob\n1,Bob,1980-01-02\n1,Ann,1981-01-02\n");
        act.Should().Throw<DataException>().Where(e => e.Message.Contains("line 3") && !e.Message.Contains("Ann"));
    }

    [Fact]
    public void Build_ManyIds_FindsARepeatFarBack_NotTheSameIdInAnotherDataset()
    {
        // 20,000 ids: the set of ids and their byte store grow many times. Ids that differ in one non-ASCII letter are
        // two ids, and the same ids in another source dataset are allowed.
        var csv = "id,forename,dob\n" + string.Concat(Enumerable.Range(0, 20000).Select(i => $"ID-{i},Bob,1980-01-02\n")) + "Zoë,Ann,1981-01-02\nZoe,Ann,1981-01-02\n";
        var set = new RecordSetBuilder(Settings).AddCsv(new StringReader(csv), "a").AddCsv(new StringReader(csv), "b").Build();

        set.Count.Should().Be(40004);
        set.UniqueId(20000).Should().Be("Zoë");
        set.UniqueId(40003).Should().Be("Zoe");
        set.SourceDataset(40003).Should().Be("b");

        // A repeat (padded: ids are trimmed) 19,996 lines after the first: both lines named, neither the id nor the row's values.
        var act = () => Build(csv + " ID-7 ,Cy,1990-01-01\n");
        act.Should().Throw<DataException>().Where(e => e.Message.Contains("line 20004:") && e.Message.Contains("first seen at line 9)") && !e.Message.Contains("ID-7") && !e.Message.Contains("Cy"));
    }

    [Fact]
    public void Build_ValuesPastManyChunks_ComeBackInOrder_AndASecondBuildIsRefused()
    {
        // 40,000 records: each column's codes fill more than two of the builder's chunks of 16 Ki.
        string Name(int i) => i % 7 == 0 ? string.Empty : $"Qx{(char)('a' + (i % 26))}{(char)('a' + (i / 26 % 26))}";
        var csv = "id,forename,dob\n" + string.Concat(Enumerable.Range(0, 40000).Select(i => $"{i},{Name(i)},19{10 + (i % 90)}-01-02\n"));
        var builder = new RecordSetBuilder(Settings).AddCsv(new StringReader(csv), "a");
        var set = builder.Build();

        var forename = set.ColumnIndex("forename");
        var dob = set.ColumnIndex("dob");
        Enumerable.Range(0, set.Count).Where(r => set.Value(r, forename) != (Name(r).Length == 0 ? null : Name(r).ToUpperInvariant())).Should().BeEmpty();
        Enumerable.Range(0, set.Count).Where(r => set.Value(r, dob) != $"19{10 + (r % 90)}-01-02").Should().BeEmpty();
        builder.Invoking(b => b.Build()).Should().Throw<InvalidOperationException>().WithMessage("*already built*");
    }

    [Fact]
    public void Build_WithCheckedIds_TakesTheIdsFromTheCheck_AndRefusesACountThatDiffers()
    {
        // The pipeline's ingest checks the ids (and quarantines a repeat) before the rows reach the builder, which then
        // neither reads nor holds them again: the rows' id field is not looked at.
        var check = new IdRepeatCheck();
        foreach (var id in new[] { "A1", "B2", "Zoë" })
        {
            check.Add(id).Should().Be(-1);
        }

        var set = new RecordSetBuilder(Settings, check).AddCsv(new StringReader("id,forename,dob\nx,Bob,1980-01-02\nx,Ann,\n,Cy,1990-01-01\n"), "a").Build();
        Enumerable.Range(0, set.Count).Select(set.UniqueId).Should().Equal("A1", "B2", "Zoë");
        set.Value(1, set.ColumnIndex("forename")).Should().Be("ANN");

        var short1 = new IdRepeatCheck();
        short1.Add("A1");
        var act = () => new RecordSetBuilder(Settings, short1).AddCsv(new StringReader("id,forename,dob\n1,Bob,1980-01-02\n2,Ann,\n"), "a").Build();
        act.Should().Throw<InvalidOperationException>().WithMessage("1 checked unique ids were given for 2 records.");
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
