using BenchmarkDotNet.Attributes;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Benchmarks;

/// <summary>What each score activity reads of the run's term-frequency tables before scoring its shard: the whole
/// tables (every value of every record of the run) or only the shard's values (<see cref="TermFrequencyTables.ReadFor"/>).
/// The run here: 1 M records; the shard: one of 40 (8 partitions × 5 prediction rules in the pipeline).</summary>
[MemoryDiagnoser]
public class TermFrequencyBenchmarks
{
    private const int Records = 1_000_000;
    private const int Shards = 40;
    private byte[] tables = [];
    private RecordSet shard = null!;

    [GlobalSetup]
    public void Setup()
    {
        var settings = LinkageSettings.Parse(SyntheticPeople.BenchSettings);
        var set = new RecordSetBuilder(settings).AddRows(SyntheticPeople.Header, SyntheticPeople.Generate(Records, 0.25, 11), "synthetic").Build();
        using (var ms = new MemoryStream())
        {
            TermFrequencyTables.Compute(set, settings).WriteTo(ms);
            tables = ms.ToArray();
        }

        // A shard as the score activity has it: read back from its blob, with a dictionary of its own values.
        using var blob = new MemoryStream();
        set.Select(Enumerable.Range(0, Records).Where(r => r % Shards == 0).ToList()).WriteTo(blob);
        blob.Position = 0;
        shard = RecordSet.ReadFrom(blob);
    }

    [Benchmark(Baseline = true)]
    public int ReadWholeTables() => TermFrequencyTables.ReadFrom(new MemoryStream(tables, writable: false)).Tables.Count;

    [Benchmark]
    public int ReadShardValues() => TermFrequencyTables.ReadFor(new MemoryStream(tables, writable: false), shard).Tables.Count;
}
