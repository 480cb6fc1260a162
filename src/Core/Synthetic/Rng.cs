namespace DataFirst.Core.Synthetic;

/// <summary>
/// xoshiro256** seeded through SplitMix64: fast, and the same sequence on every runtime and
/// platform (System.Random's seeded sequence is not a documented contract).
/// </summary>
internal sealed class Rng
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Rng(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
    }

    /// <summary>A generator for one (seed, unit, stream): independent streams that never shift each other.</summary>
    public static Rng For(int seed, long unit, int stream) => new(Mix((ulong)(uint)seed, (ulong)unit, (ulong)(uint)stream));

    public static ulong Mix(ulong a, ulong b, ulong c)
    {
        var x = (a * 0x9E3779B97F4A7C15UL) ^ (b + 0x632BE59BD9B4E019UL) ^ (c * 0xBF58476D1CE4E5B9UL);
        return SplitMix(ref x) ^ SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, maxExclusive).</summary>
    public int Next(int maxExclusive) => maxExclusive <= 1 ? 0 : (int)((NextULong() >> 33) % (ulong)maxExclusive);

    /// <summary>Uniform in [min, maxInclusive].</summary>
    public int Between(int min, int maxInclusive) => min + Next(maxInclusive - min + 1);

    public bool Chance(double probability) => probability > 0 && NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Geometric-ish count: 1 + number of further successes with probability <paramref name="more"/>, capped.</summary>
    public int Count(double more, int max)
    {
        var n = 1;
        while (n < max && Chance(more))
        {
            n++;
        }

        return n;
    }

    /// <summary>Exponential with the given mean.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1 - NextDouble());
}

/// <summary>Items with relative weights, drawn in O(log n).</summary>
internal sealed class Weighted<T>
{
    private readonly T[] _items;
    private readonly double[] _cumulative;

    public Weighted(IEnumerable<(T Item, double Weight)> items)
    {
        var list = items.Where(i => i.Weight > 0).ToList();
        _items = [.. list.Select(i => i.Item)];
        _cumulative = new double[list.Count];
        double total = 0;
        for (var i = 0; i < list.Count; i++)
        {
            total += list[i].Weight;
            _cumulative[i] = total;
        }

        Total = total;
    }

    public double Total { get; }

    public IReadOnlyList<T> Items => _items;

    public T Pick(Rng rng)
    {
        var x = rng.NextDouble() * Total;
        var index = Array.BinarySearch(_cumulative, x);
        index = index < 0 ? ~index : index + 1;
        return _items[Math.Min(index, _items.Length - 1)];
    }

    public static Weighted<T> Zipf(IReadOnlyList<T> items, double exponent) =>
        new(items.Select((item, i) => (item, 1.0 / Math.Pow(i + 1, exponent))));
}
