using DataFirst.Core.Comparisons;

namespace DataFirst.Core.Tests.Comparisons;

public sealed class StringMetricsTests
{
    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.961)]
    [InlineData("DWAYNE", "DUANE", 0.840)]
    [InlineData("DIXON", "DICKSONX", 0.813)]
    [InlineData("ABC", "ABC", 1.0)]
    [InlineData("ABC", "XYZ", 0.0)]
    public void JaroWinkler_TextbookPairs_MatchPublishedValues(string a, string b, double expected) =>
        StringMetrics.JaroWinkler(a, b).Should().BeApproximately(expected, 0.0005);

    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.944)]
    [InlineData("DWAYNE", "DUANE", 0.822)]
    [InlineData("DIXON", "DICKSONX", 0.767)]
    public void Jaro_TextbookPairs_MatchPublishedValues(string a, string b, double expected) =>
        StringMetrics.Jaro(a, b).Should().BeApproximately(expected, 0.0005);

    [Theory]
    [InlineData("KITTEN", "SITTING", 3)]
    [InlineData("FLAW", "LAWN", 2)]
    [InlineData("", "ABC", 3)]
    [InlineData("CA", "AC", 2)]
    public void Levenshtein_KnownPairs_ReturnsDistance(string a, string b, int d) =>
        StringMetrics.Levenshtein(a, b).Should().Be(d);

    [Fact]
    public void Levenshtein_AboveMax_ReturnsMaxPlusOne() =>
        StringMetrics.Levenshtein("KITTEN", "SITTING", 1).Should().Be(2);

    [Theory]
    [InlineData("CA", "AC", 1)]
    [InlineData("1980-01-12", "1980-01-21", 1)]
    [InlineData("KITTEN", "SITTING", 3)]
    public void DamerauLevenshtein_Transpositions_CountOne(string a, string b, int d) =>
        StringMetrics.DamerauLevenshtein(a, b).Should().Be(d);

    [Theory]
    [InlineData("ROBERT", "RUPERT", true)]
    [InlineData("STEPHEN", "STEVEN", true)]
    [InlineData("PHILIP", "FILIP", true)]
    [InlineData("SMITH", "JONES", false)]
    public void PhoneticKey_SoundAlikes_Agree(string a, string b, bool same) =>
        (StringMetrics.PhoneticKey(a) == StringMetrics.PhoneticKey(b)).Should().Be(same);

    [Theory]
    [InlineData("1980-01-12", "1980-01-12", 0)]
    [InlineData("1980-01-12", "1980-01-13", 1)]
    [InlineData("1980-01-12", "1980-01-21", 2)]
    [InlineData("SMITH", "SMYTHE", 2)]
    [InlineData("SMITH", "SMITHS", 1)]
    [InlineData("SMITH", "MITH", 1)]
    [InlineData("SMITH", "SMTH", 1)]
    [InlineData("AB", "BA", 2)]
    [InlineData("ABC", "A", 2)]
    public void Levenshtein_MaxOne_AgreesWithFullDistance(string a, string b, int expected)
    {
        StringMetrics.Levenshtein(a, b, 1).Should().Be(expected);
        Math.Min(StringMetrics.Levenshtein(a, b), 2).Should().Be(expected);
    }

    [Fact]
    public void EditDistances_WithAnyMax_AgreeWithTheFullTable()
    {
        // Random short strings over a small alphabet (many near-misses, swaps, repeats): each bounded distance must be
        // the full-table distance, or max + 1 when that exceeds max; the ≤ 1 fast paths and the row early exit included.
        var random = new Random(11);
        string Draw() => new(Enumerable.Range(0, random.Next(0, 8)).Select(_ => "ABCA"[random.Next(4)]).ToArray());
        var checkedSwaps = 0;
        for (var n = 0; n < 4000; n++)
        {
            var a = Draw();
            var b = n % 3 == 0 && a.Length > 1 ? Swap(a, random.Next(a.Length - 1)) : Draw();
            var (lev, osa) = (FullTable(a, b, transpositions: false), FullTable(a, b, transpositions: true));
            checkedSwaps += osa < lev ? 1 : 0;
            StringMetrics.Levenshtein(a, b).Should().Be(lev, $"Levenshtein({a}, {b})");
            StringMetrics.DamerauLevenshtein(a, b).Should().Be(osa, $"DamerauLevenshtein({a}, {b})");
            for (var max = 0; max <= 4; max++)
            {
                StringMetrics.Levenshtein(a, b, max).Should().Be(Math.Min(lev, max + 1), $"Levenshtein({a}, {b}, {max})");
                StringMetrics.DamerauLevenshtein(a, b, max).Should().Be(Math.Min(osa, max + 1), $"DamerauLevenshtein({a}, {b}, {max})");
            }
        }

        checkedSwaps.Should().BeGreaterThan(100, "the draw must exercise transpositions");
    }

    [Fact]
    public void EditDistances_LongerNearCopies_AgreeWithTheFullTableWithinTheBand()
    {
        // Strings of 10-40 characters and copies a few random edits away (substitutions, insertions, deletions, adjacent
        // swaps): distances straddle every max of 0..4, so the band's edges and its early exit are both exercised.
        var random = new Random(23);
        var seen = new int[7];
        for (var n = 0; n < 3000; n++)
        {
            var a = new string(Enumerable.Range(0, random.Next(10, 41)).Select(_ => "ABCDA"[random.Next(5)]).ToArray());
            var b = a;
            for (var e = random.Next(0, 6); e > 0 && b.Length > 1; e--)
            {
                var at = random.Next(b.Length - 1);
                b = random.Next(4) switch
                {
                    0 => Swap(b, at),
                    1 => b.Remove(at, 1),
                    2 => b.Insert(at, "ABCD"[random.Next(4)].ToString()),
                    _ => b.Remove(at, 1).Insert(at, "ABCD"[random.Next(4)].ToString()),
                };
            }

            var (lev, osa) = (FullTable(a, b, transpositions: false), FullTable(a, b, transpositions: true));
            seen[Math.Min(osa, 6)]++;
            for (var max = 0; max <= 4; max++)
            {
                StringMetrics.Levenshtein(a, b, max).Should().Be(Math.Min(lev, max + 1), $"Levenshtein({a}, {b}, {max})");
                StringMetrics.DamerauLevenshtein(a, b, max).Should().Be(Math.Min(osa, max + 1), $"DamerauLevenshtein({a}, {b}, {max})");
            }
        }

        seen.Take(6).Should().OnlyContain(count => count > 20, $"every distance 0..5 must be drawn (drawn: {string.Join(", ", seen)})");
    }

    [Fact]
    public void EditDistances_TwoHundredThousandCharacters_AreExactWithinMax()
    {
        // '#' is not in the alphabet, so each one in b costs an edit of its own: with one deletion, both distances are 3.
        var random = new Random(5);
        var a = new string(Enumerable.Range(0, 200_000).Select(_ => (char)('A' + random.Next(26))).ToArray());
        var chars = a.ToCharArray();
        chars[1_000] = '#';
        chars[120_000] = '#';
        var b = new string(chars).Remove(60_000, 1);
        foreach (var max in new[] { 3, 4, 10 })
        {
            StringMetrics.Levenshtein(a, b, max).Should().Be(3);
            StringMetrics.DamerauLevenshtein(a, b, max).Should().Be(3);
        }

        StringMetrics.Levenshtein(a, b, 2).Should().Be(3, "more than 2");
        StringMetrics.DamerauLevenshtein(a, b, 2).Should().Be(3, "more than 2");

        // One swap of two different adjacent characters: one transposition, or two substitutions.
        var at = Enumerable.Range(100_000, 100).First(i => a[i] != a[i + 1]);
        var swapped = Swap(a, at);
        StringMetrics.DamerauLevenshtein(a, swapped, 2).Should().Be(1);
        StringMetrics.Levenshtein(a, swapped, 2).Should().Be(2);

        // Unrelated strings of equal length stop after the first rows; a length gap beyond max at once.
        StringMetrics.Levenshtein(new string('A', 200_000), new string('B', 200_000), 4).Should().Be(5);
        StringMetrics.DamerauLevenshtein(a, a + "XYZ", 2).Should().Be(3);
    }

    [Fact]
    public void Jaro_LongStrings_AgreeWithTheWindowScan()
    {
        // Above 256 characters Jaro finds matches through per-character cursors instead of scanning each window: the
        // matches, and so the similarity, must be the scan's exactly (near copies with shifts, and unrelated strings).
        var random = new Random(31);
        for (var n = 0; n < 200; n++)
        {
            var alphabet = n % 2 == 0 ? "ABCDE" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
            var a = new string(Enumerable.Range(0, random.Next(200, 900)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var b = n % 3 == 0
                ? new string(Enumerable.Range(0, random.Next(200, 900)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray())
                : a.Remove(random.Next(a.Length / 2), random.Next(0, 60)).Insert(random.Next(a.Length / 3), new string('Z', random.Next(0, 40)));
            StringMetrics.Jaro(a, b).Should().Be(WindowScanJaro(a, b), $"pair {n}");
            StringMetrics.Jaro(b, a).Should().Be(WindowScanJaro(a, b), $"pair {n} reversed");
        }
    }

    [Fact]
    public void JaroWinkler_TwoHundredThousandCharacters_Completes()
    {
        var random = new Random(9);
        var a = new string(Enumerable.Range(0, 200_000).Select(_ => (char)('A' + random.Next(26))).ToArray());
        var b = a.Remove(100_000, 10);

        // Exact values: identical strings, and no character in common; the near copy is checked both ways round.
        StringMetrics.JaroWinkler(a, a).Should().Be(1.0);
        StringMetrics.JaroWinkler(a, a.ToLowerInvariant()).Should().Be(0.0);
        StringMetrics.JaroWinkler(a, b).Should().BeInRange(0.9, 1.0).And.Be(StringMetrics.JaroWinkler(b, a));
    }

    /// <summary>Textbook Jaro: each character of the shorter string takes the first unmatched equal character of the
    /// longer within max(len) / 2 − 1 positions; half the out-of-order matches (rounded down) are transpositions.</summary>
    private static double WindowScanJaro(string a, string b)
    {
        if (a.Length > b.Length)
        {
            (a, b) = (b, a);
        }

        var window = Math.Max(0, (b.Length / 2) - 1);
        var (ma, mb) = (new bool[a.Length], new bool[b.Length]);
        var m = 0;
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = Math.Max(0, i - window); j <= Math.Min(b.Length - 1, i + window); j++)
            {
                if (!mb[j] && a[i] == b[j])
                {
                    (ma[i], mb[j]) = (true, true);
                    m++;
                    break;
                }
            }
        }

        if (m == 0)
        {
            return 0;
        }

        var sa = a.Where((_, i) => ma[i]).ToArray();
        var sb = b.Where((_, j) => mb[j]).ToArray();
        var t = sa.Zip(sb).Count(x => x.First != x.Second) / 2;
        return (((double)m / a.Length) + ((double)m / b.Length) + ((double)(m - t) / m)) / 3.0;
    }

    [Fact]
    public void JaroWinklerUpperBound_AnyStrings_IsAtLeastJaroWinkler()
    {
        // Letters only, letters repeated three times or more, and other characters (incomplete signatures: the bound
        // falls back on the lengths), of lengths from 1 to 10 times apart.
        var random = new Random(17);
        var lengthOnly = 0;
        for (var n = 0; n < 5000; n++)
        {
            var alphabet = (n % 3) switch { 0 => "ABCDEFGHIJ", 1 => "AAB", _ => "AB -'CDE" };
            string Draw(int length) => new(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var a = Draw(random.Next(1, 12));
            var b = random.Next(4) == 0 ? Draw(a.Length * random.Next(1, 11)) : Draw(random.Next(1, 12));
            var (sa, sb) = (StringMetrics.LetterSignature(a), StringMetrics.LetterSignature(b));
            var bound = StringMetrics.JaroWinklerUpperBound(a, b, sa, sb);
            bound.Should().BeGreaterThanOrEqualTo(StringMetrics.JaroWinkler(a, b), $"JaroWinklerUpperBound({a}, {b})");
            lengthOnly += ((sa | sb) >> 62) != 0 && bound < 1.0 ? 1 : 0;
        }

        lengthOnly.Should().BeGreaterThan(1000, "incomplete signatures must still get a length bound");
    }

    [Fact]
    public void JaroWinklerUpperBound_TwentyfoldLengthsWithoutCommonPrefix_IsBelowTheLowestNameThreshold()
    {
        // At most 50 of 1000 characters can match: Jaro ≤ (1 + 0.05 + 1) / 3 ≈ 0.683, so a 0.70 level is skipped
        // without computing Jaro, though neither signature is complete (a hyphen, letters repeated).
        var a = string.Concat(Enumerable.Repeat("SMITH-JONES ", 5))[..50];
        var b = string.Concat(Enumerable.Repeat("WALKER ", 150))[..1000];

        StringMetrics.JaroWinklerUpperBound(a, b, StringMetrics.LetterSignature(a), StringMetrics.LetterSignature(b))
            .Should().BeApproximately(2.05 / 3, 1e-6).And.BeGreaterThanOrEqualTo(StringMetrics.JaroWinkler(a, b));
    }

    private static string Swap(string s, int k)
    {
        var c = s.ToCharArray();
        (c[k], c[k + 1]) = (c[k + 1], c[k]);
        return new string(c);
    }

    /// <summary>The textbook full table: Levenshtein, or optimal string alignment with transpositions.</summary>
    private static int FullTable(string a, string b, bool transpositions)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (transpositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
