using System.Text;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Tests.Ingest;

public sealed class UniqueIdColumnTests
{
    // Short and long ids, one longer than a test chunk, non-ASCII and a surrogate pair, an empty one.
    private static readonly string[] Ids =
        ["1", "22", "A0001VW", "", "Zoë-7", "id-with-more-bytes-than-a-chunk-0123456789", "x", "\U0001F600-9", "LD00000208", "y"];

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(UniqueIdColumn.ChunkBytes)]
    public void Builder_AnyChunkSize_GivesBackEveryIdInOrder(int chunkBytes)
    {
        var builder = new UniqueIdColumn.Builder(Ids.Length, chunkBytes);
        foreach (var id in Ids)
        {
            builder.Add(id);
        }

        var column = builder.Build();

        column.Count.Should().Be(Ids.Length);
        Enumerable.Range(0, Ids.Length).Select(i => column[i]).Should().Equal(Ids);
        Enumerable.Range(0, Ids.Length).Select(i => column.Utf8(i).ToArray()).Should().BeEquivalentTo(Ids.Select(Encoding.UTF8.GetBytes), o => o.WithStrictOrdering());
        var picked = column.Select([9, 5, 0, 5, 3]);
        Enumerable.Range(0, picked.Count).Select(i => picked[i]).Should().Equal("y", Ids[5], "1", Ids[5], "");
    }

    [Fact]
    public void Write_IsTheFormatBinaryWriterGivesStrings_AndReadTakesItBack()
    {
        var builder = new UniqueIdColumn.Builder(Ids.Length);
        foreach (var id in Ids)
        {
            builder.Add(id);
        }

        var column = builder.Build();
        using var ours = new MemoryStream();
        using var strings = new MemoryStream();
        using (var w = new BinaryWriter(ours, Encoding.UTF8, leaveOpen: true))
        using (var s = new BinaryWriter(strings, Encoding.UTF8, leaveOpen: true))
        {
            for (var i = 0; i < Ids.Length; i++)
            {
                column.Write(w, i);
                s.Write(Ids[i]);
                w.Write(i); // a value after each id: reading must stop exactly at the id's end
                s.Write(i);
            }
        }

        ours.ToArray().Should().Equal(strings.ToArray());

        strings.Position = 0;
        var back = new UniqueIdColumn.Builder(Ids.Length, chunkBytes: 16);
        var r = new RecordStreamReader(strings, bufferBytes: 16);
        for (var i = 0; i < Ids.Length; i++)
        {
            back.Read(r);
            r.ReadInt32().Should().Be(i);
        }

        var read = back.Build();
        Enumerable.Range(0, Ids.Length).Select(i => read[i]).Should().Equal(Ids);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(UniqueIdColumn.ChunkBytes)]
    public void Builder_WithoutACount_GrowsAndReadsBackWhatItHolds(int chunkBytes)
    {
        var ids = Enumerable.Range(0, 3000).Select(i => Ids[i % Ids.Length] + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var builder = new UniqueIdColumn.Builder(count: null, chunkBytes);
        foreach (var id in ids)
        {
            builder.Add(id);
            builder.Utf8(builder.Count - 1).ToArray().Should().Equal(Encoding.UTF8.GetBytes(id));
        }

        builder.Count.Should().Be(3000);
        Enumerable.Range(0, ids.Count).Select(i => Encoding.UTF8.GetString(builder.Utf8(i))).Should().Equal(ids);
        builder.Invoking(b => b.Utf8(3000)).Should().Throw<ArgumentOutOfRangeException>();
        var column = builder.Build();
        column.Count.Should().Be(3000);
        Enumerable.Range(0, ids.Count).Select(i => column[i]).Should().Equal(ids);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(UniqueIdColumn.ChunkBytes)]
    public void Builder_RemoveLast_DropsTheLastId_EvenOneThatStartedAChunk(int chunkBytes)
    {
        var builder = new UniqueIdColumn.Builder(count: null, chunkBytes);
        builder.Invoking(b => b.RemoveLast()).Should().Throw<ArgumentOutOfRangeException>();
        var kept = new List<string>();
        for (var i = 0; i < 600; i++)
        {
            var id = Ids[i % Ids.Length] + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            builder.Add(id);
            if (i % 3 == 2)
            {
                builder.RemoveLast();
                builder.Count.Should().Be(kept.Count);
            }
            else
            {
                kept.Add(id);
            }
        }

        Enumerable.Range(0, kept.Count).Select(i => Encoding.UTF8.GetString(builder.Utf8(i))).Should().Equal(kept);
        builder.Add("last");
        builder.RemoveLast();
        var column = builder.Build();
        Enumerable.Range(0, column.Count).Select(i => column[i]).Should().Equal(kept);
    }

    [Fact]
    public void Builder_MoreOrFewerIdsThanAnnounced_Throws()
    {
        var few = new UniqueIdColumn.Builder(2);
        few.Add("1");
        few.Invoking(b => b.Build()).Should().Throw<InvalidOperationException>().WithMessage("1 unique ids were added where 2*");

        var many = new UniqueIdColumn.Builder(1);
        many.Add("1");
        many.Invoking(b => b.Add("2")).Should().Throw<InvalidOperationException>().WithMessage("more unique ids*");
    }

    [Fact]
    public void ReadFrom_StreamCutInsideAnId_IsAFormatError()
    {
        var set = new RecordSetBuilder(Settings.LinkageSettingsTests.ForenameAndDob()).AddCsv(new StringReader("id,forename,dob\nLONG-IDENTIFIER-1,Bob,1980-01-02\n"), "a").Build();
        using var ms = new MemoryStream();
        set.WriteTo(ms);
        var bytes = ms.ToArray();
        var cut = bytes.AsSpan().IndexOf("IDENTIFIER"u8) + 3;

        var act = () => RecordSet.ReadFrom(new MemoryStream(bytes[..cut]));

        act.Should().Throw<DataFirst.Core.Settings.FormatException>().WithMessage("record set stream is truncated*")
            .Which.Message.Should().NotContain("IDENTIFIER");
    }
}
