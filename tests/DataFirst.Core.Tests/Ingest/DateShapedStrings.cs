using System.Globalization;

namespace DataFirst.Core.Tests.Ingest;

/// <summary>Random strings in the three all-digit date shapes (most impossible: day 00, month 13, 31 April...) and
/// near-misses (a one-digit month, a year of 2 to 5 digits), for checking a fast date path against the general parser.</summary>
internal static class DateShapedStrings
{
    public static IEnumerable<string> Generate(int seed, int count)
    {
        var random = new Random(seed);
        string D(int n) => string.Concat(Enumerable.Range(0, n).Select(_ => (char)('0' + random.Next(10))));
        string Near(int n) => random.Next(4) == 0 ? D(n) : n == 4 ? (1900 + random.Next(130)).ToString(CultureInfo.InvariantCulture) : random.Next(1, 32).ToString("00", CultureInfo.InvariantCulture);
        for (var i = 0; i < count; i++)
        {
            yield return (i % 5) switch
            {
                0 => $"{Near(4)}-{Near(2)}-{Near(2)}",
                1 => $"{Near(2)}/{Near(2)}/{Near(4)}",
                2 => $"{Near(4)}{Near(2)}{Near(2)}",
                3 => $"{Near(4)}-{D(1)}-{Near(2)}",
                _ => $"{Near(2)}/{Near(2)}/{D(random.Next(2, 6))}",
            };
        }
    }
}
