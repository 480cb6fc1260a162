using System.Globalization;

namespace DataFirst.Core.Ingest;

/// <summary>
/// The all-digit date formats admin extracts mostly use — yyyy-MM-dd, dd/MM/yyyy, yyyyMMdd — read without the general
/// parser, which costs several times as much (a date is in most columns of most rows). Only a valid date in exactly one
/// of these shapes is taken. A caller that accepts more formats passes everything else on to
/// <see cref="DateTime.TryParseExact(ReadOnlySpan{char}, string[], IFormatProvider, DateTimeStyles, out DateTime)"/> over
/// its own list; as long as that list holds these three, the answer is the same as the general parser's alone. Used by
/// the date-of-birth standardiser (<see cref="DateStandardiser"/>) and the share writer's dates.
/// </summary>
internal static class NumericDates
{
    public static bool TryParse(ReadOnlySpan<char> s, out DateOnly date)
    {
        int year, month, day;
        if (s.Length == 10 && s[4] == '-' && s[7] == '-')
        {
            (year, month, day) = (Digits(s[..4]), Digits(s.Slice(5, 2)), Digits(s.Slice(8, 2)));
        }
        else if (s.Length == 10 && s[2] == '/' && s[5] == '/')
        {
            (year, month, day) = (Digits(s.Slice(6, 4)), Digits(s.Slice(3, 2)), Digits(s[..2]));
        }
        else if (s.Length == 8)
        {
            (year, month, day) = (Digits(s[..4]), Digits(s.Slice(4, 2)), Digits(s.Slice(6, 2)));
        }
        else
        {
            date = default;
            return false;
        }

        if (year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
        {
            date = new DateOnly(year, month, day);
            return true;
        }

        date = default;
        return false;
    }

    /// <summary>The number the ASCII digits spell, or -1 when one is not a digit.</summary>
    private static int Digits(ReadOnlySpan<char> s)
    {
        var n = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return -1;
            }

            n = (n * 10) + (c - '0');
        }

        return n;
    }
}
