using DataFirst.Core.Profiles;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// The fixed de-identification rules every share obeys, whatever its spec asks:
/// identifiers used for linking are never written; system ids are pseudonymised; age is derived.
/// </summary>
public static class ShareRules
{
    /// <summary>The derived variable: whole years between date of birth and the dataset's event date.</summary>
    public const string AgeAtEventVariable = "age_at_event";

    /// <summary>The estimated person id column of person-level share files.</summary>
    public const string PersonIdColumn = "person_id";

    /// <summary>Identifier kinds that are never written to a share, whatever the column's role.</summary>
    public static readonly IReadOnlySet<string> NeverSharedKinds = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "forename", "forenames", "first_name", "middle_name", "surname", "last_name", "name", "full_name",
        "date_of_birth", "dob", "address", "postcode", "full_postcode",
    };

    /// <summary>Identifier kinds of direct identifiers that may be shared (sex).</summary>
    public static readonly IReadOnlySet<string> ShareableIdentifierKinds = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "sex", "gender" };

    /// <summary>
    /// True when the column may never be written: any column whose identifier kind is a name, date
    /// of birth, address or postcode, and any direct identifier except sex (an unknown kind is withheld).
    /// </summary>
    public static bool IsNeverShared(ColumnProfile column)
    {
        var kind = column.IdentifierKind;
        if (kind is not null && NeverSharedKinds.Contains(kind))
        {
            return true;
        }

        return column.Role == ColumnRole.DirectIdentifier && (kind is null || !ShareableIdentifierKinds.Contains(kind));
    }

    /// <summary>A dataset whose records are people (and so get an estimated person id).</summary>
    public static bool IsPersonLevel(DatasetProfile profile) =>
        profile.Columns.Any(c => c.Role == ColumnRole.DirectIdentifier && IsNeverShared(c));

    /// <summary>The date-of-birth column, if the dataset has one.</summary>
    public static ColumnProfile? DateOfBirthColumn(DatasetProfile profile) =>
        profile.Columns.FirstOrDefault(c => string.Equals(c.IdentifierKind, "date_of_birth", StringComparison.OrdinalIgnoreCase)
                                            || string.Equals(c.IdentifierKind, "dob", StringComparison.OrdinalIgnoreCase));

    /// <summary>Age at event can be derived when the dataset has a date of birth and an event date.</summary>
    public static bool CanDeriveAge(DatasetProfile profile) =>
        DateOfBirthColumn(profile) is not null && profile.EventDateColumn is not null;

    /// <summary>
    /// The columns of a dataset's extract that writing <paramref name="variables"/> (a share's variables of that dataset)
    /// reads: each variable's own column, as the profile spells it, and for <see cref="AgeAtEventVariable"/> the date of
    /// birth and the event date it is derived from. Each once, in the variables' order; a name the profile lacks is left out
    /// (<see cref="ShareSpec.Parse"/> refuses those).
    /// </summary>
    public static IReadOnlyList<string> SourceColumns(DatasetProfile profile, IEnumerable<string> variables)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(variables);
        var columns = new List<string>();
        void Add(string? column)
        {
            if (column is not null && !columns.Contains(column, StringComparer.OrdinalIgnoreCase))
            {
                columns.Add(column);
            }
        }

        foreach (var variable in variables)
        {
            if (string.Equals(variable, AgeAtEventVariable, StringComparison.OrdinalIgnoreCase))
            {
                Add(DateOfBirthColumn(profile)?.Name);
                Add(profile.EventDateColumn is { } ev ? profile.FindColumn(ev)?.Name ?? ev : null);
            }
            else
            {
                Add(profile.FindColumn(variable)?.Name);
            }
        }

        return columns;
    }

    /// <summary>Every variable a share may ask for, in profile order (plus age when derivable).</summary>
    public static IReadOnlyList<string> ShareableVariables(DatasetProfile profile)
    {
        var list = profile.Columns.Where(c => !IsNeverShared(c)).Select(c => c.Name).ToList();
        if (CanDeriveAge(profile))
        {
            list.Add(AgeAtEventVariable);
        }

        return list;
    }
}
