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
    /// What the linkage engine should read this identifier as, for direct identifiers:
    /// forename, surname, forenames, date_of_birth, postcode, address, sex.
    /// </summary>
    public string? IdentifierKind { get; init; }

    public bool Required { get; init; }
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
