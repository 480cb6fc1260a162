using System.Text.Json.Serialization;

namespace DataFirst.Core.Profiles;

/// <summary>
/// A source system's extract, declared column by column (profiles/*.json). Ingest validates
/// against it, de-identification obeys each column's <see cref="ColumnRole"/>, and the catalogue
/// is built from these declarations plus the data.
/// </summary>
public sealed record DatasetProfile
{
    /// <summary>Dataset id used in file and blob names, e.g. <c>magistrates</c>.</summary>
    public required string Name { get; init; }

    public required string Title { get; init; }

    public required string Description { get; init; }

    /// <summary>The operational system the extract comes from, e.g. "Libra (magistrates' courts)".</summary>
    public required string SourceSystem { get; init; }

    /// <summary>What one row is, e.g. "one defendant in one case".</summary>
    public string? RowMeaning { get; init; }

    /// <summary>The column holding the row's unique id in the extract.</summary>
    public required string UniqueIdColumn { get; init; }

    /// <summary>The date column that places a row in time (coverage dates, age at event).</summary>
    public string? EventDateColumn { get; init; }

    public required IReadOnlyList<ColumnProfile> Columns { get; init; }

    public ColumnProfile? FindColumn(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when the dataset carries person identifiers and so takes part in person linkage.</summary>
    [JsonIgnore]
    public bool IsPersonLevel => Columns.Any(c => c.IdentifierKind is not null);

    /// <summary>The column whose <see cref="ColumnProfile.IdentifierKind"/> is <paramref name="kind"/>, if any.</summary>
    public ColumnProfile? FindIdentifier(string kind) =>
        Columns.FirstOrDefault(c => string.Equals(c.IdentifierKind, kind, StringComparison.Ordinal));
}

public sealed record ColumnProfile
{
    public required string Name { get; init; }

    public required ColumnType Type { get; init; }

    public required string Description { get; init; }

    public required ColumnRole Role { get; init; }

    /// <summary>For categorical columns: code → label.</summary>
    public IReadOnlyDictionary<string, string>? Codes { get; init; }

    /// <summary>
    /// What the linkage engine should read this identifier as: one of <see cref="IdentifierKinds.All"/>
    /// (forenames, surname, date_of_birth, address, postcode, sex).
    /// </summary>
    public string? IdentifierKind { get; init; }

    public bool Required { get; init; }

    /// <summary>
    /// For <see cref="ColumnType.Date"/> columns: the .NET custom format the source system writes,
    /// e.g. <c>dd/MM/yyyy</c>, <c>yyyyMMdd</c>, <c>d MMM yyyy</c>. Null means ISO <c>yyyy-MM-dd</c>.
    /// </summary>
    public string? Format { get; init; }

    /// <summary>For a foreign key: the referenced <c>dataset.column</c>, e.g. <c>probation.event_id</c>.</summary>
    public string? References { get; init; }
}

/// <summary>The identifier kinds the linkage pipeline maps, whatever a system calls the column.</summary>
public static class IdentifierKinds
{
    public const string Forenames = "forenames";
    public const string Surname = "surname";
    public const string DateOfBirth = "date_of_birth";
    public const string Address = "address";
    public const string Postcode = "postcode";
    public const string Sex = "sex";

    public static IReadOnlyList<string> All { get; } = [Forenames, Surname, DateOfBirth, Address, Postcode, Sex];

    public static bool IsValid(string? kind) => kind is not null && All.Contains(kind, StringComparer.Ordinal);
}

[JsonConverter(typeof(JsonStringEnumConverter<ColumnType>))]
public enum ColumnType
{
    String,
    Integer,
    Decimal,
    Date,
    Boolean,
    Categorical,
}

[JsonConverter(typeof(JsonStringEnumConverter<ColumnRole>))]
public enum ColumnRole
{
    /// <summary>Used for linking, never written to a share (names, date of birth, address, postcode).</summary>
    DirectIdentifier,

    /// <summary>An operational system id: replaced by a keyed pseudonym in shares.</summary>
    SystemId,

    /// <summary>Sex, ethnicity, age: shareable special-category data.</summary>
    SpecialCategory,

    /// <summary>An ordinary variable, shared when the share spec asks for it.</summary>
    Variable,
}
