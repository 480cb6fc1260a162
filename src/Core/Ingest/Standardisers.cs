using System.Globalization;
using System.Text;

namespace DataFirst.Core.Ingest;

/// <summary>Name standardisation: accents, case, punctuation, titles, hyphens, multi-part names.</summary>
public static class NameStandardiser
{
    private static readonly HashSet<string> Titles = new(StringComparer.Ordinal)
    {
        "MR", "MRS", "MS", "MISS", "MX", "DR", "PROF", "SIR", "DAME", "LORD", "LADY", "REV", "REVD", "FR", "MASTER", "JR", "SNR", "SR", "JNR",
    };

    /// <summary>Upper case, accents stripped, punctuation removed (hyphen/apostrophe: hyphen → space,
    /// apostrophe dropped), titles removed, white space collapsed. Null when nothing is left.</summary>
    public static string? Clean(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var folded = FoldAccents(raw);
        var sb = new StringBuilder(folded.Length);
        var lastSpace = true;
        foreach (var ch in folded)
        {
            if (char.IsLetter(ch))
            {
                sb.Append(char.ToUpperInvariant(ch));
                lastSpace = false;
            }
            else if (ch is '\'' or '’' or '`' or '.')
            {
                // O'Brien -> OBRIEN; St. -> ST
            }
            else if (!lastSpace)
            {
                sb.Append(' ');
                lastSpace = true;
            }
        }

        var tokens = sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var kept = tokens.Where(t => !Titles.Contains(t)).ToArray();
        if (kept.Length == 0)
        {
            return null;
        }

        return string.Join(' ', kept);
    }

    /// <summary>First token of a cleaned forename field ("Mary-Jane Ann" → "MARY").</summary>
    public static string? FirstName(string? raw)
    {
        var c = Clean(raw);
        if (c is null)
        {
            return null;
        }

        var i = c.IndexOf(' ', StringComparison.Ordinal);
        return i < 0 ? c : c[..i];
    }

    /// <summary>Tokens after the first ("Mary-Jane Ann" → "JANE ANN"), null when none.</summary>
    public static string? OtherNames(string? raw)
    {
        var c = Clean(raw);
        if (c is null)
        {
            return null;
        }

        var i = c.IndexOf(' ', StringComparison.Ordinal);
        return i < 0 ? null : c[(i + 1)..];
    }

    private const string AccentFrom = "ÀÁÂÃÄÅàáâãäåÇçĆćČčÈÉÊËèéêëĚěĘęÌÍÎÏìíîïÑñŃńŇňÒÓÔÕÖØòóôõöøÙÚÛÜùúûüŮůÝýÿŸŠšŚśŽžŹźŻżŁłĐđĎďŘřŤťĞğŞşİı";
    private const string AccentTo = "AAAAAAaaaaaaCcCcCcEEEEeeeeEeEeIIIIiiiiNnNnNnOOOOOOooooooUUUUuuuuUuYyyYSsSsZzZzZzLlDdDdRrTtGgSsIi";

    public static string FoldAccents(string s)
    {
        var ascii = true;
        foreach (var ch in s)
        {
            if (ch > 127)
            {
                ascii = false;
                break;
            }
        }

        if (ascii)
        {
            return s;
        }

        // Globalization-invariant mode has no Unicode normalisation: fold Latin letters with a table.
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            var i = AccentFrom.IndexOf(ch, StringComparison.Ordinal);
            if (i >= 0)
            {
                sb.Append(AccentTo[i]);
            }
            else
            {
                sb.Append(ch switch { 'ß' => "SS", 'Æ' => "AE", 'æ' => "ae", 'Œ' => "OE", 'œ' => "oe", _ => ch.ToString() });
            }
        }

        return sb.ToString();
    }
}

/// <summary>Dates of birth in the formats admin systems use, normalised to yyyy-MM-dd.</summary>
public static class DateStandardiser
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd", "yyyy-M-d", "dd/MM/yyyy", "d/M/yyyy", "yyyyMMdd", "d MMM yyyy", "dd MMM yyyy", "d MMMM yyyy", "dd-MM-yyyy", "d-M-yyyy",
        "yyyy/MM/dd", "dd.MM.yyyy", "d-MMM-yyyy", "dd-MMM-yyyy", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss", "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm",
    ];

    /// <summary>Parses <paramref name="raw"/>; returns null for missing values and for impossible or
    /// unrecognised dates (then <paramref name="invalid"/> is true).</summary>
    public static string? Standardise(string? raw, out bool invalid)
    {
        invalid = false;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var t = raw.Trim();
        if (NumericDates.TryParse(t, out var d)
            || DateOnly.TryParseExact(t, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out d)
            || DateTime.TryParseExact(t, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var dt) && Assign(dt, out d))
        {
            if (d.Year is < 1850 or > 2100)
            {
                invalid = true;
                return null;
            }

            return d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        invalid = true;
        return null;
    }

    private static bool Assign(DateTime dt, out DateOnly d)
    {
        d = DateOnly.FromDateTime(dt);
        return true;
    }

    /// <summary>Day number of a standardised yyyy-MM-dd value, or int.MinValue.</summary>
    public static int DayNumber(string iso)
    {
        if (iso.Length == 10 && DateOnly.TryParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d.DayNumber;
        }

        return int.MinValue;
    }
}

/// <summary>UK postcodes: normalised "AA9A 9AA" plus sector, district and area.</summary>
public static class PostcodeStandardiser
{
    /// <summary>Upper case, spaces removed and one space put before the 3-character inward code.
    /// Values that cannot be a postcode (too short/long, no digit) become null (invalid = true).</summary>
    public static string? Standardise(string? raw, out bool invalid)
    {
        invalid = false;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        Span<char> buf = stackalloc char[16];
        var n = 0;
        foreach (var ch in raw)
        {
            if (char.IsLetterOrDigit(ch))
            {
                if (n == buf.Length)
                {
                    invalid = true;
                    return null;
                }

                buf[n++] = char.ToUpperInvariant(ch);
            }
        }

        // Non-UK postcodes (e.g. 4-digit Australian codes in FEBRL) are kept as they are.
        if (n is >= 5 and <= 7 && char.IsDigit(buf[n - 3]) && char.IsLetter(buf[n - 1]))
        {
            return string.Concat(buf[..(n - 3)], " ", buf[(n - 3)..n]);
        }

        if (n is >= 2 and <= 8)
        {
            return new string(buf[..n]);
        }

        invalid = true;
        return null;
    }

    /// <summary>"SW1A 1AA" → "SW1A 1"; a value without an inward code returns itself.</summary>
    public static string Sector(string pc)
    {
        var sp = pc.IndexOf(' ', StringComparison.Ordinal);
        return sp < 0 ? pc : pc[..(sp + 2)];
    }

    /// <summary>"SW1A 1AA" → "SW1A".</summary>
    public static string District(string pc)
    {
        var sp = pc.IndexOf(' ', StringComparison.Ordinal);
        return sp < 0 ? (pc.Length > 3 ? pc[..^1] : pc) : pc[..sp];
    }

    /// <summary>"SW1A 1AA" → "SW"; leading letters.</summary>
    public static string Area(string pc)
    {
        var i = 0;
        while (i < pc.Length && char.IsLetter(pc[i]))
        {
            i++;
        }

        return i == 0 ? (pc.Length > 2 ? pc[..2] : pc) : pc[..i];
    }
}

/// <summary>Sex codes to M / F / X.</summary>
public static class SexStandardiser
{
    public static string? Standardise(string? raw, out bool invalid)
    {
        invalid = false;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        switch (raw.Trim().ToUpperInvariant())
        {
            case "M" or "MALE" or "1" or "MAN" or "BOY":
                return "M";
            case "F" or "FEMALE" or "2" or "WOMAN" or "GIRL":
                return "F";
            case "X" or "I" or "INDETERMINATE" or "OTHER" or "NON-BINARY" or "9":
                return "X";
            case "U" or "UNKNOWN" or "0" or "N/K" or "NK" or "NOT KNOWN" or "NOT STATED":
                return null;
            default:
                invalid = true;
                return null;
        }
    }
}

/// <summary>Applies a <see cref="Settings.StandardiseKind"/> to a raw value.</summary>
public static class Standardiser
{
    public static string? Apply(Settings.StandardiseKind kind, string? raw, out bool invalid)
    {
        invalid = false;
        switch (kind)
        {
            case Settings.StandardiseKind.None:
                return string.IsNullOrWhiteSpace(raw) ? null : raw.Trim();
            case Settings.StandardiseKind.Name:
                return NameStandardiser.Clean(raw);
            case Settings.StandardiseKind.FirstName:
                return NameStandardiser.FirstName(raw);
            case Settings.StandardiseKind.OtherNames:
                return NameStandardiser.OtherNames(raw);
            case Settings.StandardiseKind.Date:
                return DateStandardiser.Standardise(raw, out invalid);
            case Settings.StandardiseKind.Year:
                return DateStandardiser.Standardise(raw, out invalid)?[..4];
            case Settings.StandardiseKind.Postcode:
                return PostcodeStandardiser.Standardise(raw, out invalid);
            case Settings.StandardiseKind.Sex:
                return SexStandardiser.Standardise(raw, out invalid);
            default:
                if (string.IsNullOrWhiteSpace(raw))
                {
                    return null;
                }

                var t = raw.Trim();
                return t.Contains("  ", StringComparison.Ordinal)
                    ? string.Join(' ', t.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant()
                    : t.ToUpperInvariant();
        }
    }
}
