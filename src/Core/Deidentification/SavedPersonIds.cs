using System.Text;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// Part of a run's saved record → person id mapping (<see cref="PersonIdMappingStore.LoadLookupAsync"/>), held as
/// bytes: each dataset's row ids in an <see cref="IdRepeatCheck"/> with, per row, the position of its person in one
/// table of person ids. About 35 bytes a row and 55 a person, where a dictionary of strings takes about 130 a row: a
/// national magistrates' extract's mapping is millions of rows. Lookups only read, so several threads may look up at
/// once. Row and person ids are never logged.
/// </summary>
public sealed class SavedPersonIds : IPersonIdLookup
{
    private readonly Dictionary<string, (IdRepeatCheck Rows, List<int> Persons)> _datasets = new(StringComparer.Ordinal);
    private readonly IdRepeatCheck _persons = new();
    private readonly bool _shareStrings;
    private string?[] _strings = [];

    /// <param name="shareStrings">Give every lookup of a person the same string (for a caller that keeps them, such as
    /// case linking's cases by person); otherwise each lookup makes its own (for one that uses it at once).</param>
    internal SavedPersonIds(bool shareStrings) => _shareStrings = shareStrings;

    /// <summary>The rows held.</summary>
    public int Count => _datasets.Values.Sum(d => d.Rows.Count);

    /// <summary>Adds a row of the mapping; a row given twice is refused (the saved mapping has each once).</summary>
    internal void Add(string dataset, ReadOnlySpan<char> rowId, ReadOnlySpan<char> personId)
    {
        if (!_datasets.TryGetValue(dataset, out var rows))
        {
            _datasets[dataset] = rows = (new IdRepeatCheck(), []);
        }

        if (rows.Rows.Add(rowId) >= 0)
        {
            throw PersonIdAssigner.AppearsTwice(dataset);
        }

        rows.Persons.Add(_persons.Intern(personId));
    }

    /// <summary>Ends the loading: no row is added after it.</summary>
    internal void Complete()
    {
        _strings = _shareStrings ? new string?[_persons.Count] : [];
        foreach (var (_, persons) in _datasets.Values)
        {
            persons.TrimExcess();
        }
    }

    public bool TryGetPersonId(RecordKey record, out string internalPersonId)
    {
        var row = _datasets.TryGetValue(record.Dataset, out var rows) ? rows.Rows.IndexOf(record.RowId) : -1;
        if (row < 0)
        {
            internalPersonId = string.Empty;
            return false;
        }

        var person = rows.Persons[row];
        internalPersonId = _shareStrings
            ? _strings[person] ??= Encoding.UTF8.GetString(_persons.Utf8(person)) // a race makes the same string twice: harmless
            : Encoding.UTF8.GetString(_persons.Utf8(person));
        return true;
    }
}
