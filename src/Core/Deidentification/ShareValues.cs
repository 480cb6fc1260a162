using System.Globalization;

namespace DataFirst.Core.Deidentification;

/// <summary>Value helpers shared by the share writers: missing values, dates, age.</summary>
public static class ShareValues
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "dd/MM/yyyy", "yyyyMMdd", "d MMM yyyy", "dd MMM yyyy", "d MMMM yyyy", "d/M/yyyy", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss"];

    public static bool IsMissing(string? value) => string.IsNullOrWhiteSpace(value);

    public static bool TryParseDate(string? value, out DateOnly date)
    {
        date = default;
        if (IsMissing(value))
        {
            return false;
        }

        var text = value!.AsSpan().Trim();
        if (TryParseNumericDate(text, out date))
        {
            return true;
        }

        if (DateTime.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
        {
            date = DateOnly.FromDateTime(dt);
            return true;
        }

        return false;
    }

    /// <summary>
    /// The all-digit formats admin extracts mostly use — yyyy-MM-dd, dd/MM/yyyy, yyyyMMdd — read without the general
    /// parser (one of these is in most columns of most rows of a share). Only a valid date in exactly one of these
    /// shapes is taken; anything else is left to <see cref="DateTime.TryParseExact(ReadOnlySpan{char}, string[], IFormatProvider, DateTimeStyles, out DateTime)"/>
    /// over every format, so the answer is the same as before.
    /// </summary>
    private static bool TryParseNumericDate(ReadOnlySpan<char> s, out DateOnly date)
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

    /// <summary>Whole years from <paramref name="birth"/> to <paramref name="at"/> (a 29 February birthday counts from 1 March), or null when negative.</summary>
    public static int? AgeInYears(DateOnly birth, DateOnly at)
    {
        var age = at.Year - birth.Year;
        if (at.Month < birth.Month || (at.Month == birth.Month && at.Day < birth.Day))
        {
            age--;
        }

        return age is < 0 or > 130 ? null : age;
    }

    public static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
