using System.Globalization;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Deidentification;

/// <summary>Value helpers shared by the share writers: missing values, dates, age.</summary>
public static class ShareValues
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "dd/MM/yyyy", "yyyyMMdd", "d MMM yyyy", "dd MMM yyyy", "d MMMM yyyy", "d/M/yyyy", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss"];

    public static bool IsMissing(string? value) => string.IsNullOrWhiteSpace(value);

    public static bool TryParseDate(string? value, out DateOnly date) => TryParseDate(value.AsSpan(), out date);

    /// <summary><see cref="TryParseDate(string?, out DateOnly)"/> of characters (blank: no date).</summary>
    public static bool TryParseDate(ReadOnlySpan<char> value, out DateOnly date)
    {
        date = default;
        var text = value.Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        if (NumericDates.TryParse(text, out date))
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

    /// <summary>yyyy-MM-dd (years 1-9999), written digit by digit: the general formatter cost more than parsing.</summary>
    public static string FormatDate(DateOnly date) => string.Create(DateChars, date, static (chars, d) => WriteDate(d, chars));

    /// <summary>Characters of <see cref="FormatDate"/>.</summary>
    public const int DateChars = 10;

    /// <summary>Writes <see cref="FormatDate"/>'s <see cref="DateChars"/> characters to <paramref name="chars"/>.</summary>
    public static void WriteDate(DateOnly date, Span<char> chars)
    {
        int year = date.Year, month = date.Month, day = date.Day;
        chars[9] = (char)('0' + (day % 10)); // the last first: one bounds check
        chars[0] = (char)('0' + (year / 1000));
        chars[1] = (char)('0' + (year / 100 % 10));
        chars[2] = (char)('0' + (year / 10 % 10));
        chars[3] = (char)('0' + (year % 10));
        chars[4] = '-';
        chars[5] = (char)('0' + (month / 10));
        chars[6] = (char)('0' + (month % 10));
        chars[7] = '-';
        chars[8] = (char)('0' + (day / 10));
    }
}
