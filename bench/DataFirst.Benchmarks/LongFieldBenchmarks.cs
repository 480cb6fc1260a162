using BenchmarkDotNet.Attributes;
using DataFirst.Core.Comparisons;

namespace DataFirst.Benchmarks;

/// <summary>String metrics on one pair of long fields (free text up to the 1 Mi-character field limit): a field and a copy
/// with a few edits, as a comparison level's "distance ≤ 2" or Jaro-Winkler threshold asks about them.</summary>
[MemoryDiagnoser]
public class LongFieldBenchmarks
{
    private string left = "";
    private string right = "";

    [Params(10_000, 20_000, 300_000)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        left = new string(Enumerable.Range(0, Length).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZ   "[random.Next(29)]).ToArray());
        right = left.Remove(Length / 3, 1).Insert(2 * Length / 3, "X");
    }

    [Benchmark]
    public int Levenshtein() => StringMetrics.Levenshtein(left, right, 2);

    [Benchmark]
    public int DamerauLevenshtein() => StringMetrics.DamerauLevenshtein(left, right, 2);

    [Benchmark]
    public double JaroWinkler() => StringMetrics.JaroWinkler(left, right);
}
