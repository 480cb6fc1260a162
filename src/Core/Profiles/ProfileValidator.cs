using System.Globalization;
using System.Text.RegularExpressions;

namespace DataFirst.Core.Profiles;

/// <summary>
/// Checks a <see cref="DatasetProfile"/>: names, the unique id column, a role and description per
/// column, code lists on categorical columns, identifier kinds, date formats and references.
/// Every error names the file and the column (JSON path) and says what to do.
/// </summary>
public static partial class ProfileValidator
{
    [GeneratedRegex("^[a-z][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    public static IReadOnlyList<ProfileError> Validate(DatasetProfile profile, string file)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var errors = new List<ProfileError>();
        void Add(string? where, string message) => errors.Add(new ProfileError(file, where, message));

        if (string.IsNullOrWhiteSpace(profile.Name) || !NamePattern().IsMatch(profile.Name))
        {
            Add("$.name", "the dataset name must be lower-case letters, digits and '_' (it names files and blobs)");
        }

        if (profile.Columns is null || profile.Columns.Count == 0)
        {
            Add("$.columns", "the profile declares no columns");
            return errors;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < profile.Columns.Count; i++)
        {
            var column = profile.Columns[i];
            var where = $"$.columns[{i}]";
            var label = $"column '{column.Name}'";
            if (string.IsNullOrWhiteSpace(column.Name) || !NamePattern().IsMatch(column.Name))
            {
                Add(where, $"{label}: column names must be lower-case letters, digits and '_'");
            }
            else if (!seen.Add(column.Name))
            {
                Add(where, $"{label} is declared twice; remove one");
            }

            if (!Enum.IsDefined(column.Role))
            {
                Add(where, $"{label} has no valid role; use DirectIdentifier, SystemId, SpecialCategory or Variable");
            }

            if (!Enum.IsDefined(column.Type))
            {
                Add(where, $"{label} has no valid type; use String, Integer, Decimal, Date, Boolean or Categorical");
            }

            if (string.IsNullOrWhiteSpace(column.Description))
            {
                Add(where, $"{label} has an empty description; say what the variable means");
            }

            if (column.Type == ColumnType.Categorical && (column.Codes is null || column.Codes.Count == 0))
            {
                Add(where, $"{label} is Categorical but has no code list; add \"codes\": {{ \"code\": \"label\" }}");
            }

            if (column.Codes is not null && column.Codes.Any(c => string.IsNullOrWhiteSpace(c.Key) || string.IsNullOrWhiteSpace(c.Value)))
            {
                Add(where, $"{label} has a code or code label that is empty");
            }

            if (column.IdentifierKind is not null)
            {
                if (!IdentifierKinds.IsValid(column.IdentifierKind))
                {
                    Add(where, $"{label} has identifierKind '{column.IdentifierKind}'; use one of {string.Join(", ", IdentifierKinds.All)}");
                }
                else
                {
                    var expectedRole = column.IdentifierKind == IdentifierKinds.Sex ? ColumnRole.SpecialCategory : ColumnRole.DirectIdentifier;
                    if (column.Role != expectedRole)
                    {
                        Add(where, $"{label} has identifierKind '{column.IdentifierKind}' so its role must be {expectedRole}");
                    }

                    if (!kinds.TryAdd(column.IdentifierKind, column.Name))
                    {
                        Add(where, $"{label} repeats identifierKind '{column.IdentifierKind}' (already on column '{kinds[column.IdentifierKind]}'); a dataset has one column per kind");
                    }
                }
            }

            if (column.Format is not null)
            {
                if (column.Type != ColumnType.Date)
                {
                    Add(where, $"{label} has a format but is not a Date column");
                }
                else if (!IsRoundTrippingDateFormat(column.Format))
                {
                    Add(where, $"{label} has date format '{column.Format}' that does not round-trip a date; use a .NET custom format such as yyyy-MM-dd, dd/MM/yyyy, yyyyMMdd or d MMM yyyy");
                }
            }

            if (column.References is not null && column.References.Split('.') is not [{ Length: > 0 }, { Length: > 0 }])
            {
                Add(where, $"{label} has references '{column.References}'; write it as dataset.column");
            }
        }

        var unique = profile.FindColumn(profile.UniqueIdColumn ?? string.Empty);
        if (unique is null)
        {
            Add("$.uniqueIdColumn", $"the unique id column '{profile.UniqueIdColumn}' is not among the columns; declare it or fix the name");
        }
        else if (unique.Role != ColumnRole.SystemId)
        {
            Add("$.uniqueIdColumn", $"the unique id column '{unique.Name}' must have role SystemId");
        }

        if (profile.EventDateColumn is not null)
        {
            var eventDate = profile.FindColumn(profile.EventDateColumn);
            if (eventDate is null)
            {
                Add("$.eventDateColumn", $"the event date column '{profile.EventDateColumn}' is not among the columns");
            }
            else if (eventDate.Type != ColumnType.Date)
            {
                Add("$.eventDateColumn", $"the event date column '{eventDate.Name}' must have type Date");
            }
        }

        return errors;
    }

    /// <summary>Checks that every <see cref="ColumnProfile.References"/> names a dataset and column in <paramref name="profiles"/>.</summary>
    public static IReadOnlyList<ProfileError> ValidateReferences(DatasetProfile profile, string file, IReadOnlyDictionary<string, DatasetProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(profiles);
        var errors = new List<ProfileError>();
        for (var i = 0; i < profile.Columns.Count; i++)
        {
            var column = profile.Columns[i];
            if (column.References?.Split('.') is not [var dataset, var target])
            {
                continue;
            }

            if (!profiles.TryGetValue(dataset, out var referenced))
            {
                errors.Add(new ProfileError(file, $"$.columns[{i}]", $"column '{column.Name}' references dataset '{dataset}', which has no profile"));
            }
            else if (referenced.FindColumn(target) is null)
            {
                errors.Add(new ProfileError(file, $"$.columns[{i}]", $"column '{column.Name}' references '{column.References}', but '{dataset}' has no column '{target}'"));
            }
        }

        return errors;
    }

    private static bool IsRoundTrippingDateFormat(string format)
    {
        var sample = new DateOnly(1987, 11, 23);
        try
        {
            var text = sample.ToString(format, CultureInfo.InvariantCulture);
            return DateOnly.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var back) && back == sample;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
