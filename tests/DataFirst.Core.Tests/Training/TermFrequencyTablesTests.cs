using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Tests.Training;

public sealed class TermFrequencyTablesTests
{
    private const string Settings = """
        {
          "link_type": "dedupe_only",
          "unique_id_column": "id",
          "comparisons": [
            { "column": "surname", "preset": "exact", "tf_adjustment": true },
            { "column": "city", "preset": "exact" }
          ],
          "blocking_rules_for_prediction": [["city"]],
          "probability_two_random_records_match": 0.001
        }
        """;

    private static readonly string[] Header = ["id", "surname", "city"];

    private static RecordSet Records(params string?[][] rows) =>
        new RecordSetBuilder(LinkageSettings.Parse(Settings)).AddRows(Header, rows, "people").Build();

    private static MemoryStream Written(TermFrequencyTables tables)
    {
        var ms = new MemoryStream();
        tables.WriteTo(ms);
        ms.Position = 0;
        return ms;
    }

    // Many distinct surnames (so the stream is larger than the reader's buffer), a non-ASCII one and a very long one.
    private static RecordSet Run()
    {
        var rows = new List<string?[]>();
        for (var i = 0; i < 20_000; i++)
        {
            rows.Add([$"r{i}", $"NAME{i % 9_000}", "LEEDS"]);
        }

        rows.Add(["z1", "ZOË", "YORK"]);
        rows.Add(["z2", "ZOË", "YORK"]);
        rows.Add(["z3", new string('Q', 70_000), "YORK"]);
        rows.Add(["z4", null, "YORK"]);
        return Records([.. rows]);
    }

    [Fact]
    public void ReadFrom_GivesEveryValueBack()
    {
        var tf = TermFrequencyTables.Compute(Run(), LinkageSettings.Parse(Settings));

        var read = TermFrequencyTables.ReadFrom(Written(tf));

        read.Tables.Keys.Should().Equal("surname");
        read.Tables["surname"].Should().BeEquivalentTo(tf.Tables["surname"]);
        read.Tables["surname"].Should().HaveCount(9_002);
    }

    [Fact]
    public void ReadFor_KeepsOnlyTheRecordsValues_WithTheRunsFrequencies_BoundToTheirCodes()
    {
        var run = Run();
        var tf = TermFrequencyTables.Compute(run, LinkageSettings.Parse(Settings));
        // A shard as the score activity reads it: its own dictionaries, from its blob.
        using var blob = new MemoryStream();
        run.Select(Enumerable.Range(0, run.Count).Where(r => r % 1000 == 0 || r is 20_000 or 20_001).ToList()).WriteTo(blob);
        blob.Position = 0;
        var shard = RecordSet.ReadFrom(blob);

        var read = TermFrequencyTables.ReadFor(Written(tf), shard);

        var dictionary = shard.Dictionaries[shard.ColumnIndex("surname")];
        var shardValues = dictionary.Skip(1).ToList();
        shardValues.Should().HaveCount(10); // NAME0, NAME1000, ..., NAME8000 and ZOË
        read.Tables["surname"].Should().BeEquivalentTo(shardValues.ToDictionary(v => v, v => tf.Tables["surname"][v]));
        read.TryGetByCode("surname", dictionary, out var byCode, out var least).Should().BeTrue();
        for (var k = 1; k < dictionary.Length; k++)
        {
            byCode[k].Should().Be(tf.Tables["surname"][dictionary[k]]);
        }

        least.Should().Be(tf.Tables["surname"][new string('Q', 70_000)]); // the run's rarest value, not in the shard
        read.TryGetByCode("surname", run.Dictionaries[run.ColumnIndex("surname")], out _, out _).Should().BeFalse();
    }

    [Fact]
    public void ReadFor_ValueTheTablesLack_HasNoFrequency_AndTheColumnsLeastIsKept()
    {
        var tf = TermFrequencyTables.Compute(Records(["1", "SMITH", "A"], ["2", "SMITH", "A"], ["3", "JONES", "A"]), LinkageSettings.Parse(Settings));
        var other = Records(["9", "JONES", "B"], ["8", "BROWN", "B"]);

        var read = TermFrequencyTables.ReadFor(Written(tf), other);

        var dictionary = other.Dictionaries[other.ColumnIndex("surname")];
        read.TryGetByCode("surname", dictionary, out var byCode, out var least).Should().BeTrue();
        byCode[Array.IndexOf(dictionary, "JONES")].Should().BeApproximately(1 / 3.0, 1e-15);
        byCode[Array.IndexOf(dictionary, "BROWN")].Should().Be(0);
        least.Should().BeApproximately(1 / 3.0, 1e-15);
        read.Tables["surname"].Keys.Should().Equal("JONES");
    }

    [Fact]
    public void ReadFor_TruncatedOrCorruptStream_IsAFormatErrorNamingTheStream()
    {
        var run = Run();
        var bytes = Written(TermFrequencyTables.Compute(run, LinkageSettings.Parse(Settings))).ToArray();

        var truncated = () => TermFrequencyTables.ReadFor(new MemoryStream(bytes[..(bytes.Length / 2)]), run);
        truncated.Should().Throw<DataFirst.Core.Settings.FormatException>().WithMessage("term-frequency stream is truncated*");

        var negative = (byte[])bytes.Clone();
        BitConverter.GetBytes(-5).CopyTo(negative, 4); // the column count
        var corrupt = () => TermFrequencyTables.ReadFor(new MemoryStream(negative), run);
        corrupt.Should().Throw<DataFirst.Core.Settings.FormatException>().WithMessage("term-frequency stream is corrupt: a negative count.");

        var notTables = () => TermFrequencyTables.ReadFor(new MemoryStream([1, 2, 3, 4, 5]), run);
        notTables.Should().Throw<DataFirst.Core.Settings.FormatException>().WithMessage("not a DataFirst term-frequency stream*");
    }
}
