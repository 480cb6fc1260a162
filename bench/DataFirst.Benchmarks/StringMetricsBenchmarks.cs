using BenchmarkDotNet.Attributes;
using DataFirst.Core.Comparisons;
using DataFirst.Core.Evaluation;

namespace DataFirst.Benchmarks;

/// <summary>String metrics on name pairs drawn from synthetic people (mostly unrelated names, some typos).</summary>
[MemoryDiagnoser]
public class StringMetricsBenchmarks
{
    private const int Pairs = 4096;
    private string[] left = [];
    private string[] right = [];
    private ulong[] leftSignature = [];
    private ulong[] rightSignature = [];

    [GlobalSetup]
    public void Setup()
    {
        var rows = SyntheticPeople.Generate(2 * Pairs, 0.25, 3);
        var names = rows.Select(r => r[3] ?? "").Where(n => n.Length > 0).Select(n => n.ToUpperInvariant()).ToArray();
        left = Enumerable.Range(0, Pairs).Select(i => names[i % names.Length]).ToArray();

        // Half the right names are the left one with one letter changed: similar pairs as well as unrelated ones.
        right = left.Select((n, i) => i % 2 == 0 ? names[(i + (names.Length / 2)) % names.Length] : Typo(n)).ToArray();
        leftSignature = left.Select(StringMetrics.LetterSignature).ToArray();
        rightSignature = right.Select(StringMetrics.LetterSignature).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double JaroWinkler()
    {
        var sum = 0.0;
        for (var i = 0; i < left.Length; i++)
        {
            sum += StringMetrics.JaroWinkler(left[i], right[i]);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public double JaroWinklerUpperBound()
    {
        var sum = 0.0;
        for (var i = 0; i < left.Length; i++)
        {
            sum += StringMetrics.JaroWinklerUpperBound(left[i], right[i], leftSignature[i], rightSignature[i]);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int Levenshtein()
    {
        var sum = 0;
        for (var i = 0; i < left.Length; i++)
        {
            sum += StringMetrics.Levenshtein(left[i], right[i], 2);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int DamerauLevenshtein()
    {
        var sum = 0;
        for (var i = 0; i < left.Length; i++)
        {
            sum += StringMetrics.DamerauLevenshtein(left[i], right[i], 2);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int DamerauLevenshteinWithinOne()
    {
        var sum = 0;
        for (var i = 0; i < left.Length; i++)
        {
            sum += StringMetrics.DamerauLevenshtein(left[i], right[i], 1);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int DoubleMetaphoneEncode()
    {
        var sum = 0;
        for (var i = 0; i < left.Length; i++)
        {
            sum += DoubleMetaphone.Encode(left[i]).Primary.Length;
        }

        return sum;
    }

    private static string Typo(string name) =>
        name.Length < 3 ? name + "E" : string.Concat(name.AsSpan(0, name.Length / 2), "X", name.AsSpan((name.Length / 2) + 1));
}
