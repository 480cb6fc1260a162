using BenchmarkDotNet.Attributes;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Benchmarks;

/// <summary>Loading a run's records the way the partition, estimate and cluster activities do: record-set blobs of
/// several datasets read back into one set (<see cref="RecordSetConcatenation"/>). Every activity that needs all
/// records pays this once per run, the block stage once per rule.</summary>
[MemoryDiagnoser]
public class RecordSetBenchmarks
{
    private const int Records = 200_000;
    private const int Parts = 4;
    private byte[][] blobs = [];
    private IReadOnlyList<string> columns = [];

    [GlobalSetup]
    public void Setup()
    {
        var settings = LinkageSettings.Parse(SyntheticPeople.BenchSettings);
        var set = new RecordSetBuilder(settings).AddRows(SyntheticPeople.Header, SyntheticPeople.Generate(Records, 0.25, 11), "synthetic").Build();
        columns = set.ColumnNames;
        blobs = Enumerable.Range(0, Parts).Select(p =>
        {
            using var ms = new MemoryStream();
            set.Select(Enumerable.Range(0, Records).Where(r => r % Parts == p).ToList()).WriteTo(ms);
            return ms.ToArray();
        }).ToArray();
    }

    [Benchmark]
    public int ReadIntoOneSet()
    {
        var all = new RecordSetConcatenation(columns, Records);
        foreach (var blob in blobs)
        {
            using var stream = new BufferedStream(new MemoryStream(blob, writable: false), 1 << 16);
            all.Append(stream);
        }

        return all.Build().Count;
    }
}
