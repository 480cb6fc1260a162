using System.Globalization;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// What a shared variable may hold, from its profile: a number for Integer and Decimal columns, one of the code list's
/// codes for Categorical (and coded Boolean) columns. A share writes only such values. Anything else in the extract
/// (a name typed into a date or code field, a postcode in an amount) is withheld: the cell is left blank and counted,
/// never copied, since a value that fits no declared type may be personal data and would also reach the catalogue's
/// list of codes. A code that differs from the profile's only in case is written as the profile's code.
/// </summary>
internal sealed class ShareValueCheck
{
    private static readonly string[] BooleanWords = ["true", "false", "1", "0", "y", "n", "yes", "no"];

    private readonly ColumnType _type;
    private readonly HashSet<string>? _codes;
    private readonly Dictionary<string, string>? _codesIgnoringCase;

    private ShareValueCheck(ColumnType type, IEnumerable<string>? codes)
    {
        _type = type;
        if (codes is not null)
        {
            _codes = new HashSet<string>(codes, StringComparer.Ordinal);

            // Only codes that stay distinct ignoring case can be matched that way ("a" and "A" as two codes cannot).
            _codesIgnoringCase = _codes.GroupBy(c => c, StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Count() == 1)
                .ToDictionary(g => g.Key, g => g.Single(), StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>The check for <paramref name="column"/>'s values; null for a type whose values are copied as they are
    /// (String columns, and Date columns, which the writer parses itself).</summary>
    public static ShareValueCheck? For(ColumnProfile column) => column.Type switch
    {
        ColumnType.Integer or ColumnType.Decimal => new ShareValueCheck(column.Type, null),
        ColumnType.Categorical => new ShareValueCheck(column.Type, column.Codes?.Keys ?? []),
        ColumnType.Boolean => new ShareValueCheck(column.Type, column.Codes is { Count: > 0 } codes ? codes.Keys : BooleanWords),
        _ => null,
    };

    /// <summary>Whether <paramref name="value"/> (trimmed, not blank) may be shared; <paramref name="code"/> is the
    /// profile's spelling of a code matched ignoring case (null: write the value as it is).</summary>
    public bool Accepts(ReadOnlySpan<char> value, out string? code)
    {
        code = null;
        switch (_type)
        {
            case ColumnType.Integer:
                // Whole numbers, also written with a zero fraction ("3.0") as some systems export them.
                return decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var whole)
                    && whole == decimal.Truncate(whole);
            case ColumnType.Decimal:
                return decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);
            default:
                if (_codes!.GetAlternateLookup<ReadOnlySpan<char>>().Contains(value))
                {
                    return true;
                }

                return _codesIgnoringCase!.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(value, out code);
        }
    }
}
