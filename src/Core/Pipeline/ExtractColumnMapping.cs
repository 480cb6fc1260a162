using DataFirst.Core.Profiles;

namespace DataFirst.Core.Pipeline;

/// <summary>
/// Maps an extract's header to the canonical linkage columns (<see cref="CanonicalColumns"/>: unique id, source
/// dataset, then the identifiers by kind) using the dataset's profile. Used by the pipeline's ingest activity and by
/// anything else that links extracts in memory (e.g. <c>datafirst bench --justice</c>), so both read them alike.
/// Header names match case-insensitively; names the header gives more than once are listed in
/// <see cref="RepeatedColumns"/> (ingest refuses such a file: no step could tell which column is meant).
/// </summary>
public sealed class ExtractColumnMapping
{
    /// <summary>The canonical linkage columns an extract's identifiers are mapped to.</summary>
    public static readonly IReadOnlyList<string> CanonicalColumns =
        ["unique_id", "source_dataset", IdentifierKinds.Forenames, IdentifierKinds.Surname, IdentifierKinds.DateOfBirth, IdentifierKinds.Address, IdentifierKinds.Postcode, IdentifierKinds.Sex];

    private readonly int[] identifierIndexes;

    private ExtractColumnMapping(DatasetProfile profile, int uniqueIdIndex, int[] identifierIndexes, IReadOnlyList<string> missing, IReadOnlyList<string> repeated)
    {
        RepeatedColumns = repeated;
        Profile = profile;
        UniqueIdIndex = uniqueIdIndex;
        this.identifierIndexes = identifierIndexes;
        MissingColumns = missing;
    }

    public DatasetProfile Profile { get; }

    /// <summary>Index of the profile's unique id column in the header (-1 when missing).</summary>
    public int UniqueIdIndex { get; }

    /// <summary>Columns the profile requires (required, unique id, identifiers) that the header lacks.</summary>
    public IReadOnlyList<string> MissingColumns { get; }

    /// <summary>Names the header gives more than once (ignoring case), as the later occurrence spells them.</summary>
    public IReadOnlyList<string> RepeatedColumns { get; }

    /// <summary>Maps <paramref name="header"/> (trimmed names) for <paramref name="profile"/>.</summary>
    public static ExtractColumnMapping Create(DatasetProfile profile, IReadOnlyList<string> header)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(header);
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var repeated = new List<string>();
        for (var i = 0; i < header.Count; i++)
        {
            if (!index.TryAdd(header[i], i))
            {
                repeated.Add(header[i]);
            }
        }

        var missing = profile.Columns.Where(c => c.Required || c.Name == profile.UniqueIdColumn || c.IdentifierKind is not null)
            .Where(c => !index.ContainsKey(c.Name)).Select(c => c.Name).ToList();
        var id = index.TryGetValue(profile.UniqueIdColumn, out var x) ? x : -1;
        var identifiers = CanonicalColumns.Skip(2).Select(kind => profile.FindIdentifier(kind) is { } c && index.TryGetValue(c.Name, out var i) ? i : -1).ToArray();
        return new ExtractColumnMapping(profile, id, identifiers, missing, repeated);
    }

    /// <summary>The canonical row (<see cref="CanonicalColumns"/> order) of one extract row: trimmed unique id, the
    /// profile's dataset name, then the identifier values as read (null where the extract has no such column).</summary>
    public string?[] ToCanonical(IReadOnlyList<string> row) => ToCanonical(row, withUniqueId: true);

    /// <summary>As <see cref="ToCanonical(IReadOnlyList{string})"/>; without the unique id (null) when the caller hands the
    /// row ids to the record-set builder already checked, so no string is made of it.</summary>
    public string?[] ToCanonical(IReadOnlyList<string> row, bool withUniqueId)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (UniqueIdIndex < 0)
        {
            throw new InvalidOperationException($"the extract lacks the {Profile.Name} profile's unique id column '{Profile.UniqueIdColumn}'; check MissingColumns first.");
        }

        var canonical = new string?[CanonicalColumns.Count];
        canonical[0] = withUniqueId ? row[UniqueIdIndex].Trim() : null;
        canonical[1] = Profile.Name;
        for (var k = 0; k < identifierIndexes.Length; k++)
        {
            canonical[k + 2] = identifierIndexes[k] >= 0 ? row[identifierIndexes[k]] : null;
        }

        return canonical;
    }
}
