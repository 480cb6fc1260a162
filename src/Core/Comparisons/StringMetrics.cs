namespace DataFirst.Core.Comparisons;

/// <summary>String similarity and distance kernels on spans; no allocation per call for strings up to 128 chars.</summary>
public static class StringMetrics
{
    private const int StackLimit = 128;

    /// <summary>Jaro similarity (0..1).</summary>
    public static double Jaro(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return a.Length == 0 && b.Length == 0 ? 1.0 : 0.0;
        }

        if (a.Length > b.Length)
        {
            var t = a;
            a = b;
            b = t;
        }

        return b.Length <= 64 ? JaroShort(a, b) : b.Length <= LongJaroLimit ? JaroLong(a, b) : JaroByPositions(a, b);
    }

    /// <summary>Longer strings than this take <see cref="JaroByPositions"/>: the window scan costs O(n·window) = O(n²).</summary>
    private const int LongJaroLimit = 256;

    /// <summary>Jaro for strings of at most 64 characters: matched flags are bits of two words (no buffers).</summary>
    private static double JaroShort(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var window = Math.Max(0, (b.Length / 2) - 1);
        ulong matchedA = 0, matchedB = 0;
        var matches = 0;
        var bl = b.Length - 1;
        for (var i = 0; i < a.Length; i++)
        {
            var lo = i > window ? i - window : 0;
            var hi = Math.Min(bl, i + window);
            var c = a[i];
            for (var j = lo; j <= hi; j++)
            {
                if (b[j] == c && (matchedB & (1UL << j)) == 0)
                {
                    matchedA |= 1UL << i;
                    matchedB |= 1UL << j;
                    matches++;
                    break;
                }
            }
        }

        if (matches == 0)
        {
            return 0.0;
        }

        var transpositions = 0;
        var ma = matchedA;
        var mb = matchedB;
        while (ma != 0)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(ma);
            var j = System.Numerics.BitOperations.TrailingZeroCount(mb);
            if (a[i] != b[j])
            {
                transpositions++;
            }

            ma &= ma - 1;
            mb &= mb - 1;
        }

        double m = matches;
        return ((m / a.Length) + (m / b.Length) + ((m - (transpositions / 2)) / m)) / 3.0;
    }

    private static double JaroLong(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var window = Math.Max(0, (b.Length / 2) - 1);
        Span<bool> matchedA = a.Length <= StackLimit ? stackalloc bool[a.Length] : new bool[a.Length];
        Span<bool> matchedB = b.Length <= StackLimit ? stackalloc bool[b.Length] : new bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var lo = Math.Max(0, i - window);
            var hi = Math.Min(b.Length - 1, i + window);
            var c = a[i];
            for (var j = lo; j <= hi; j++)
            {
                if (!matchedB[j] && b[j] == c)
                {
                    matchedA[i] = true;
                    matchedB[j] = true;
                    matches++;
                    break;
                }
            }
        }

        return JaroOfMatches(a, b, matchedA, matchedB, matches);
    }

    /// <summary>
    /// The same matches as <see cref="JaroLong"/> in O((n + m) log m): each a[i] takes the first unmatched b[j] == a[i] in
    /// its window. Only characters equal to a[i] can be taken, so per character the taken positions of b are those under a
    /// cursor over its positions in ascending order: the windows' lower ends only grow, so a position left behind (taken,
    /// or below a lower end) is never wanted again, and the first position at or after the cursor within the window is
    /// exactly the first unmatched one the scan would find.
    /// </summary>
    private static double JaroByPositions(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var window = Math.Max(0, (b.Length / 2) - 1);
        var positions = new long[b.Length];
        for (var j = 0; j < b.Length; j++)
        {
            positions[j] = ((long)b[j] << 32) | (uint)j;
        }

        // b's positions grouped by character, ascending within each; a cursor per character into its group.
        Array.Sort(positions);
        var cursors = new Dictionary<char, int>();
        for (var p = 0; p < positions.Length; p++)
        {
            if (p == 0 || (positions[p] >> 32) != (positions[p - 1] >> 32))
            {
                cursors[(char)(positions[p] >> 32)] = p;
            }
        }

        var matchedA = new bool[a.Length];
        var matchedB = new bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var c = a[i];
            ref var cursor = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(cursors, c);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref cursor))
            {
                continue;
            }

            var lo = Math.Max(0, i - window);
            var hi = Math.Min(b.Length - 1, i + window);
            while (cursor < positions.Length && (char)(positions[cursor] >> 32) == c && (int)positions[cursor] < lo)
            {
                cursor++;
            }

            if (cursor < positions.Length && (char)(positions[cursor] >> 32) == c && (int)positions[cursor] <= hi)
            {
                matchedA[i] = true;
                matchedB[(int)positions[cursor]] = true;
                matches++;
                cursor++;
            }
        }

        return JaroOfMatches(a, b, matchedA, matchedB, matches);
    }

    /// <summary>Jaro from the matched flags: half the matched characters out of order are transpositions.</summary>
    private static double JaroOfMatches(ReadOnlySpan<char> a, ReadOnlySpan<char> b, ReadOnlySpan<bool> matchedA, ReadOnlySpan<bool> matchedB, int matches)
    {
        if (matches == 0)
        {
            return 0.0;
        }

        var transpositions = 0;
        var k = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!matchedA[i])
            {
                continue;
            }

            while (!matchedB[k])
            {
                k++;
            }

            if (a[i] != b[k])
            {
                transpositions++;
            }

            k++;
        }

        double m = matches;
        return ((m / a.Length) + (m / b.Length) + ((m - (transpositions / 2)) / m)) / 3.0;
    }

    /// <summary>Letter-count signature of a string: bits 0-25 = letters A-Z present, bits 26-51 = letters present
    /// at least twice, bit 62 = some letter three or more times, bit 63 = a character outside A-Z.</summary>
    public static ulong LetterSignature(string s)
    {
        ulong once = 0, twice = 0, flags = 0;
        foreach (var ch in s)
        {
            var k = ch - 'A';
            if ((uint)k > 25)
            {
                flags |= 1UL << 63;
                continue;
            }

            var bit = 1UL << k;
            if ((twice & bit) != 0)
            {
                flags |= 1UL << 62;
            }
            else if ((once & bit) != 0)
            {
                twice |= bit;
            }
            else
            {
                once |= bit;
            }
        }

        return once | (twice << 26) | flags;
    }

    /// <summary>An upper bound of <see cref="JaroWinkler"/> from the strings' lengths, common prefix and letter
    /// signatures (<see cref="LetterSignature"/>): matches cannot exceed the shorter length nor, when both signatures
    /// are complete (only A-Z, no letter three times), the letters the strings share.</summary>
    public static double JaroWinklerUpperBound(string a, string b, ulong signatureA, ulong signatureB)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return 1.0;
        }

        double m = Math.Min(a.Length, b.Length);
        if (((signatureA | signatureB) >> 62) == 0)
        {
            m = Math.Min(m, System.Numerics.BitOperations.PopCount(signatureA & signatureB & ((1UL << 52) - 1)));
        }

        if (m == 0)
        {
            return 0.0;
        }

        var j = ((m / a.Length) + (m / b.Length) + 1.0) / 3.0;
        var max = Math.Min(4, Math.Min(a.Length, b.Length));
        var prefix = 0;
        while (prefix < max && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return j + (prefix * 0.1 * (1.0 - j)) + 1e-9;
    }

    /// <summary>Jaro-Winkler similarity with prefix scale 0.1 and a prefix of at most 4 characters.</summary>
    public static double JaroWinkler(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var j = Jaro(a, b);
        var max = Math.Min(4, Math.Min(a.Length, b.Length));
        var prefix = 0;
        while (prefix < max && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return j + (prefix * 0.1 * (1.0 - j));
    }

    /// <summary>At most one substitution, insertion or deletion apart (linear; the common "distance ≤ 1" level).</summary>
    private static bool WithinOneEdit(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length == b.Length)
        {
            var diff = 0;
            for (var i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i] && ++diff > 1)
                {
                    return false;
                }
            }

            return true;
        }

        if (a.Length < b.Length)
        {
            var t = a;
            a = b;
            b = t;
        }

        if (a.Length != b.Length + 1)
        {
            return false;
        }

        // a is one longer: skip one character of a at the first difference.
        var k = 0;
        while (k < b.Length && a[k] == b[k])
        {
            k++;
        }

        return a[(k + 1)..].SequenceEqual(b[k..]);
    }

    /// <summary>Equal but for one swap of two adjacent characters (linear).</summary>
    private static bool OneAdjacentTransposition(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        var k = a.CommonPrefixLength(b);
        return k + 1 < a.Length && a[k] == b[k + 1] && a[k + 1] == b[k] && a[(k + 2)..].SequenceEqual(b[(k + 2)..]);
    }

    /// <summary>Levenshtein distance, or <paramref name="max"/> + 1 when it exceeds <paramref name="max"/> (early exit).</summary>
    public static int Levenshtein(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int max = int.MaxValue) =>
        EditDistance<NoTranspositions>(a, b, max);

    /// <summary>Damerau-Levenshtein distance (optimal string alignment: adjacent transpositions count 1), or
    /// <paramref name="max"/> + 1 when it exceeds <paramref name="max"/> (early exit).</summary>
    public static int DamerauLevenshtein(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int max = int.MaxValue) =>
        EditDistance<AdjacentTranspositions>(a, b, max);

    /// <summary>
    /// The edit distance, with adjacent transpositions counting one edit when <typeparamref name="TEdits"/> allows them (optimal
    /// string alignment), or <paramref name="max"/> + 1 once it must exceed <paramref name="max"/>. Three rows of the
    /// table: the one two back is only kept, and read, for transpositions. Stopping when a whole row exceeds <paramref name="max"/>
    /// is exact for both: a transposition into row i comes from row i − 2 at a cost that row i − 1 already bounds.
    /// Strings longer than twice the band of <see cref="Banded{TEdits}"/> take it instead: O(n·max), not O(n·m).
    /// </summary>
    private static int EditDistance<TEdits>(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int max)
        where TEdits : struct, IEditSet
    {
        // A constant per instantiation: the JIT compiles each distance without the other's branches.
        var transpositions = TEdits.Transpositions;
        if (Math.Abs(a.Length - b.Length) > max)
        {
            return max + 1;
        }

        if (a.Length == 0 || b.Length == 0)
        {
            return Math.Max(a.Length, b.Length);
        }

        if (max <= 1)
        {
            return a.SequenceEqual(b) ? 0
                : WithinOneEdit(a, b) || (transpositions && OneAdjacentTransposition(a, b)) ? 1
                : max + 1;
        }

        // Short strings (names, dates) keep whole rows: the band would save little and cost bookkeeping.
        if (max < int.MaxValue / 4 && Math.Min(a.Length, b.Length) > 2 * ((2 * max) + 1))
        {
            return Banded<TEdits>(a, b, max);
        }

        var w = b.Length + 1;
        Span<int> twoBack = !transpositions ? default : w <= StackLimit ? stackalloc int[w] : new int[w];
        Span<int> prev = w <= StackLimit ? stackalloc int[w] : new int[w];
        Span<int> cur = w <= StackLimit ? stackalloc int[w] : new int[w];
        for (var j = 0; j < w; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var v = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (transpositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    v = Math.Min(v, twoBack[j - 2] + 1);
                }

                cur[j] = v;
                rowMin = Math.Min(rowMin, v);
            }

            if (rowMin > max)
            {
                return max + 1;
            }

            NextRow(transpositions, ref twoBack, ref prev, ref cur);
        }

        return prev[b.Length] > max ? max + 1 : prev[b.Length];
    }


    /// <summary>
    /// <see cref="EditDistance{TEdits}"/> on the diagonal band |i − j| ≤ <paramref name="max"/> of the table only. Exact
    /// within the band: every cell holds at least |i − j|, and the values along an optimal alignment never decrease, so a
    /// distance ≤ max is reached through band cells only; cells outside count as max + 1. The early exit on a row is
    /// exact as for whole rows. The caller has checked that the lengths differ by at most max and are not empty.
    /// </summary>
    private static int Banded<TEdits>(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int max)
        where TEdits : struct, IEditSet
    {
        var transpositions = TEdits.Transpositions;
        var k = max;
        var outside = k + 1;
        var width = (2 * k) + 1;
        // Rows of the band indexed by diagonal: row i holds D(i, j) at [j − i + k + 1], so the cell above is at [d + 2],
        // the one to the left at [d], the diagonal one and the one two back diagonally (transposition) at [d + 1].
        // Entries 0 and width + 1 stay k + 1 (outside the band), as do those of a row's cells with j < 0; cells with
        // j > m are never read. So the inner loop needs no bounds tests.
        var size = width + 2;
        Span<int> twoBack = !transpositions ? default : size <= StackLimit ? stackalloc int[size] : new int[size];
        Span<int> prev = size <= StackLimit ? stackalloc int[size] : new int[size];
        Span<int> cur = size <= StackLimit ? stackalloc int[size] : new int[size];
        var m = b.Length;
        prev.Fill(outside);
        cur.Fill(outside);
        twoBack.Fill(outside);
        for (var j = 0; j <= Math.Min(m, k); j++)
        {
            prev[j + k + 1] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var rowMin = outside;
            var ai = a[i - 1];
            var first = k - i;
            var lo = 0;
            if (first >= 0)
            {
                // D(i, 0) = i.
                cur[first + 1] = i;
                rowMin = i;
                lo = first + 1;
            }

            var hi = Math.Min(width - 1, m - i + k);
            for (var d = lo; d <= hi; d++)
            {
                var j = i + d - k;
                var v = Math.Min(Math.Min(prev[d + 2], cur[d]) + 1, prev[d + 1] + (ai == b[j - 1] ? 0 : 1));
                if (transpositions && i > 1 && j > 1 && ai == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    v = Math.Min(v, twoBack[d + 1] + 1);
                }

                cur[d + 1] = v;
                rowMin = Math.Min(rowMin, v);
            }

            if (rowMin > k)
            {
                return max + 1;
            }

            NextRow(transpositions, ref twoBack, ref prev, ref cur);
        }

        var distance = prev[m - a.Length + k + 1];
        return distance > max ? max + 1 : distance;
    }

    /// <summary>Which edits an <see cref="EditDistance{TEdits}"/> instantiation counts (a struct, so each is compiled apart).</summary>
    private interface IEditSet
    {
        static abstract bool Transpositions { get; }
    }

    private readonly struct NoTranspositions : IEditSet
    {
        public static bool Transpositions => false;
    }

    private readonly struct AdjacentTranspositions : IEditSet
    {
        public static bool Transpositions => true;
    }

    /// <summary>Phonetic key of a name: its primary Double Metaphone code (see <see cref="DoubleMetaphone"/>; the
    /// `phonetic` comparison level also accepts a match on the alternate codes).</summary>
    public static string PhoneticKey(string name) => DoubleMetaphone.Encode(name).Primary;

    /// <summary>Moves the edit-distance rows on by one: the current row becomes the previous (and, for transpositions,
    /// the previous the one before it); the freed row is reused as the next current.</summary>
    private static void NextRow(bool transpositions, ref Span<int> twoBack, ref Span<int> prev, ref Span<int> cur)
    {
        var freed = transpositions ? twoBack : prev;
        if (transpositions)
        {
            twoBack = prev;
        }

        prev = cur;
        cur = freed;
    }

}
