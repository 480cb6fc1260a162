using System.Numerics;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Training;

/// <summary>
/// Which of a training rule's pairs its EM session counts: all of them, or — when the rule generates more than
/// <c>em.max_pairs</c> — each pair with probability <see cref="Rate"/>. A pair is kept when a seeded hash of its two
/// records' identities (source dataset and unique id, order ignored) falls below the rate, so the same pairs are
/// kept whatever the partitioning, the cores or the order of the records. Agreement-pattern proportions, and so
/// EM's estimates, are unbiased under such a sample; only the counts shrink.
/// </summary>
public readonly struct PairSample
{
    private readonly ulong _threshold;

    private PairSample(double rate, int seed, int rule)
    {
        Rate = rate;
        Seed = seed;
        Rule = rule;
        _threshold = rate >= 1 ? ulong.MaxValue : (ulong)(rate * 18446744073709551616.0);
    }

    /// <summary>Every pair is counted (as by <c>default(PairSample)</c>).</summary>
    public static PairSample All => new(1, 0, 0);

    /// <summary>Fraction of the pairs kept (1, or 0 for <c>default</c>: all).</summary>
    public double Rate { get; }

    public int Seed { get; }

    /// <summary>Index of the training rule (salts the hash, so two sessions do not keep the same pairs).</summary>
    public int Rule { get; }

    public bool KeepsAll => Rate is <= 0 or >= 1;

    /// <summary>The rate that brings <paramref name="pairs"/> down to about <paramref name="maxPairs"/> (1 when they fit).</summary>
    public static double RateFor(long pairs, long maxPairs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPairs, 1);
        return pairs <= maxPairs ? 1 : (double)maxPairs / pairs;
    }

    /// <summary>A sample of <paramref name="rate"/> of the pairs of training rule <paramref name="rule"/> (1: every pair).</summary>
    public static PairSample Of(double rate, int seed, int rule)
    {
        if (double.IsNaN(rate) || rate <= 0 || rate > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "a pair sample rate is in (0, 1].");
        }

        return new PairSample(rate, seed, rule);
    }

    /// <summary>One key per record of <paramref name="records"/>, from its source dataset, unique id, the seed and the rule.</summary>
    public ulong[] RecordKeys(RecordSet records)
    {
        var salt = Mix(((ulong)(uint)Seed << 32) | (uint)Rule);
        var keys = new ulong[records.Count];
        var datasetHashes = records.SourceNames.Select(name => (Fnv(name, 14695981039346656037UL) ^ 0x1F) * 1099511628211UL).ToArray();
        var chars = new char[64];
        for (var i = 0; i < keys.Length; i++)
        {
            // The id's UTF-16 characters, as a string of it would give them, without making the string.
            var id = RecordStreamReader.DecodeUtf8(records.UniqueIds.Utf8(i), ref chars);
            keys[i] = Mix(Fnv(id, datasetHashes[records.SourceCodes[i]]) ^ salt);
        }

        return keys;
    }

    /// <summary>Whether the pair of records with keys <paramref name="a"/> and <paramref name="b"/> (from <see cref="RecordKeys"/>) is kept.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool Keeps(ulong a, ulong b)
    {
        var (lo, hi) = a <= b ? (a, b) : (b, a);
        return Mix((lo * 0x9E3779B97F4A7C15UL) ^ BitOperations.RotateLeft(hi, 29)) < _threshold;
    }

    private static ulong Fnv(ReadOnlySpan<char> text, ulong hash)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>The SplitMix64 finaliser: every input bit affects every output bit.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
