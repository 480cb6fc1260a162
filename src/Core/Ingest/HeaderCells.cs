using System.Globalization;
using System.Text.RegularExpressions;

namespace DataFirst.Core.Ingest;

/// <summary>
/// Whether a CSV's first line may be shown in an error. A header is column names the user chose, but a file without a
/// header row has a record there, and when the line lacks the columns asked for the two cannot be told apart: echoing
/// it would print a person's name, date of birth or email. So the cells are shown only when they all look like column
/// names and at least one of them evidently is one; otherwise an error says how many cells the line has and that it
/// may be data rather than a header.
/// </summary>
/// <remarks>
/// <para>Every non-empty cell (trimmed) must have the shape of an identifier: a letter or underscore, then at most 63
/// letters, digits, underscores, dots or hyphens. That leaves out the usual record values: numbers and ids starting
/// with a digit, dates (<c>1971-06-24</c>, <c>24/06/1971</c>), emails (<c>@</c>), several words (<c>10 Downing
/// Street</c>, <c>Mary Ann</c>), names with apostrophes. A run of three or more digits is refused too (<c>rec-1496-org</c>,
/// <c>robert255</c>, <c>Jun-1971</c>), so a column name like <c>address_line_1</c> passes but <c>year2020</c> does not.</para>
/// <para>Shape alone would pass a record of plain words (<c>Robert,Smith,London</c>), so at least one cell must also be
/// evidence of a header: a name the reader asked for (compared ignoring case, <c>_</c>, <c>-</c>, <c>.</c>), a name with
/// an underscore (<c>first_name</c>), or one of whose words (split at <c>_ - .</c> and at a lower-to-upper case change)
/// is a common field word such as id, name, surname, dob, email, city (<see cref="FieldWords"/>) — words that name a
/// field, not a person. A header failing this (say <c>Vorname,Nachname</c>, or <c>Place Name</c>) is only not shown; nothing else changes.</para>
/// </remarks>
internal static partial class HeaderCells
{
    /// <summary>Words that name a field; none is a plausible value of a person's record on its own (so no words that are
    /// also surnames or forenames: day, key, line, no, street).</summary>
    private static readonly HashSet<string> FieldWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "id", "uid", "ref", "reference", "nr", "num", "number", "code", "type", "rec", "record", "row",
        "name", "names", "forename", "forenames", "firstname", "first", "last", "lastname", "surname", "surnames",
        "middle", "middlename", "given", "family", "initial", "initials", "title", "dob", "birth", "born", "date",
        "month", "year", "age", "sex", "gender", "email", "mail", "phone", "tel", "telephone", "mobile",
        "address", "addr", "town", "city", "county", "postcode", "zip", "postal", "country",
        "cluster", "dataset", "source", "label", "match", "score", "probability", "weight", "truth", "unique",
    };

    /// <summary>Words that join field words in a multi-word column name ("Date of Birth", "Place of birth").</summary>
    private static readonly HashSet<string> Joining = new(StringComparer.OrdinalIgnoreCase) { "of", "at", "the", "and", "or", "in", "on", "for" };

    /// <summary>Cells with more than this many characters are not shown.</summary>
    private const int MaxLength = 64;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierShape();

    [GeneratedRegex(@"[0-9]{3}", RegexOptions.CultureInvariant)]
    private static partial Regex ThreeDigits();

    [GeneratedRegex(@"[_.\-]+|(?<=[a-z])(?=[A-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex WordBreak();

    /// <summary>Whether <paramref name="cells"/> may be shown in a message (see the class remarks).</summary>
    /// <param name="cells">The first line's cells.</param>
    /// <param name="asked">Column names the reader looks for (evidence that the line is a header when one is there).</param>
    public static bool LookLikeColumnNames(IReadOnlyList<string> cells, IEnumerable<string> asked)
    {
        var evident = false;
        var askedNames = asked.Select(Normalise).ToHashSet(StringComparer.Ordinal);
        foreach (var raw in cells)
        {
            var cell = raw.Trim();
            if (cell.Length == 0)
            {
                continue;
            }

            if (cell.Length > MaxLength || ThreeDigits().IsMatch(cell))
            {
                return false;
            }

            if (cell.Contains(' ', StringComparison.Ordinal))
            {
                // Several words ("First Name", "Date of Birth") only when every one names a field or joins such words:
                // a value of several words ("Mary Ann", "10 Downing Street") has at least one that does not.
                if (!cell.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(w => IdentifierShape().IsMatch(w) && (FieldWords.Contains(w) || Joining.Contains(w))))
                {
                    return false;
                }

                evident = true;
                continue;
            }

            if (!IdentifierShape().IsMatch(cell))
            {
                return false;
            }

            evident = evident || cell.Contains('_', StringComparison.Ordinal) || askedNames.Contains(Normalise(cell))
                || WordBreak().Split(cell).Any(FieldWords.Contains);
        }

        return evident;
    }

    /// <summary>"has columns: a, b" when the cells may be shown, otherwise their count and that the line may be data.</summary>
    /// <param name="cells">The first line's cells.</param>
    /// <param name="asked">Column names the reader looks for.</param>
    public static string Describe(IReadOnlyList<string> cells, IEnumerable<string> asked) =>
        LookLikeColumnNames(cells, asked)
            ? $"its header has: {string.Join(", ", cells.Select(c => c.Trim()))}"
            : $"{NotShown(cells.Count)}; if the file has no header row, add one naming its columns";

    /// <summary>Why a first line's cells are not shown.</summary>
    public static string NotShown(int count) =>
        string.Create(CultureInfo.InvariantCulture, $"its first line has {count} cell(s) that do not all look like column names, so they are not shown: it may be data rather than a header");

    private static string Normalise(string name) =>
        new(name.Trim().Where(c => c is not ('_' or '-' or '.' or ' ')).Select(char.ToLowerInvariant).ToArray());
}
