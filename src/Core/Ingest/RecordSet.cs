using System.Text;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Ingest;

/// <summary>Columnar, standardised records. Each column is an array of interned codes (0 = null) into a
/// per-column dictionary of standardised values, so equality is an int compare. Every record carries its
/// unique id, source dataset and a row id (its ordinal in the full record set, kept by <see cref="Select"/>).</summary>
public sealed class RecordSet
{
    private const int Magic = 0x53524644; // "DFRS"
    private const int Version = 1;
    private readonly Dictionary<string, int> columnIndex;

    internal RecordSet(string[] columnNames, int[][] codes, string[][] dictionaries, UniqueIdColumn uniqueIds, int[] sourceCodes, string[] sourceNames, int[] rowIds)
    {
        ColumnNames = columnNames;
        Codes = codes;
        Dictionaries = dictionaries;
        UniqueIds = uniqueIds;
        SourceCodes = sourceCodes;
        SourceNames = sourceNames;
        RowIds = rowIds;
        columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columnNames.Length; i++)
        {
            columnIndex[columnNames[i]] = i;
        }
    }

    public int Count => UniqueIds.Count;

    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Per column, per record: code into <see cref="Dictionaries"/>; 0 = null.</summary>
    internal int[][] Codes { get; }

    /// <summary>Per column: distinct standardised values; index 0 is the null placeholder.</summary>
    internal string[][] Dictionaries { get; }

    internal UniqueIdColumn UniqueIds { get; }

    internal int[] SourceCodes { get; }

    /// <summary>Source dataset names; <see cref="SourceCodes"/> index into it.</summary>
    public IReadOnlyList<string> SourceNames { get; }

    /// <summary>Row id of each record: its ordinal in the full record set (edges and clusters use it).</summary>
    internal int[] RowIds { get; }

    /// <summary>Counts from ingest (null when read from a stream).</summary>
    public IngestReport? Report { get; init; }

    /// <summary>Record <paramref name="record"/>'s unique id (a new string each call: the set keeps ids as UTF-8).</summary>
    public string UniqueId(int record) => UniqueIds[record];

    public string SourceDataset(int record) => SourceNames[SourceCodes[record]];

    public int RowId(int record) => RowIds[record];

    public int ColumnIndex(string name) =>
        columnIndex.TryGetValue(name, out var i)
            ? i
            : throw new DataException($"column '{name}' is not in the record set; columns: {string.Join(", ", ColumnNames)}.");

    public bool HasColumn(string name) => columnIndex.ContainsKey(name);

    /// <summary>Standardised value (personal data: never log it).</summary>
    internal string? Value(int record, int column)
    {
        var c = Codes[column][record];
        return c == 0 ? null : Dictionaries[column][c];
    }

    /// <summary>A subset of records (sharing dictionaries), keeping row ids.</summary>
    public RecordSet Select(IReadOnlyList<int> records) => Select(records, null);

    /// <summary>A subset of records; <paramref name="firstRow"/> given, a record's row id is that plus its position
    /// here (the set is one part of a larger one that starts there), else the row ids are kept.</summary>
    internal RecordSet Select(IReadOnlyList<int> records, int? firstRow)
    {
        var codes = new int[Codes.Length][];
        for (var c = 0; c < Codes.Length; c++)
        {
            var src = Codes[c];
            var dst = new int[records.Count];
            for (var i = 0; i < dst.Length; i++)
            {
                dst[i] = src[records[i]];
            }

            codes[c] = dst;
        }

        var sources = new int[records.Count];
        var rows = new int[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            sources[i] = SourceCodes[r];
            rows[i] = firstRow + r ?? RowIds[r];
        }

        return new RecordSet((string[])ColumnNames, codes, Dictionaries, UniqueIds.Select(records), sources, (string[])SourceNames, rows);
    }

    /// <summary>Compact binary format: header, per column a dictionary of the values used + codes.</summary>
    public void WriteTo(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Version);
        w.Write(Count);
        w.Write(ColumnNames.Count);
        foreach (var n in ColumnNames)
        {
            w.Write(n);
        }

        w.Write(SourceNames.Count);
        foreach (var n in SourceNames)
        {
            w.Write(n);
        }

        for (var i = 0; i < Count; i++)
        {
            UniqueIds.Write(w, i);
            w.Write7BitEncodedInt(SourceCodes[i]);
            w.Write7BitEncodedInt(RowIds[i]);
        }

        for (var c = 0; c < ColumnNames.Count; c++)
        {
            // Only the values this set uses (a Select shares its parent's dictionary).
            var dict = Dictionaries[c];
            var map = new int[dict.Length];
            var used = new List<int>();
            var src = Codes[c];
            foreach (var code in src)
            {
                if (code != 0 && map[code] == 0)
                {
                    used.Add(code);
                    map[code] = used.Count;
                }
            }

            w.Write(used.Count);
            foreach (var code in used)
            {
                w.Write(dict[code]);
            }

            foreach (var code in src)
            {
                w.Write7BitEncodedInt(map[code]);
            }
        }
    }

    /// <summary>Reads a set written by <see cref="WriteTo"/>, keeping its row ids. The stream must hold the set alone: it is read ahead.</summary>
    public static RecordSet ReadFrom(Stream stream)
    {
        var preamble = Preamble.Read(stream);
        var set = new RecordSetConcatenation(preamble.Columns, preamble.Count, renumberRows: false);
        set.Append(stream, preamble);
        return set.Build();
    }

    /// <summary>The number of records and the columns of a set written by <see cref="WriteTo"/>, reading only its
    /// first bytes (to size a <see cref="RecordSetConcatenation"/> before its parts are read).</summary>
    public static (int Count, IReadOnlyList<string> Columns) ReadCount(Stream stream)
    {
        var preamble = Preamble.Read(stream);
        return (preamble.Count, preamble.Columns);
    }

    /// <summary>The head of the binary format: record count, column names, source dataset names.</summary>
    internal sealed record Preamble(int Count, string[] Columns, string[] Sources)
    {
        public static Preamble Read(Stream stream) => Decode(stream, r =>
        {
            if (r.ReadInt32() != Magic)
            {
                throw new Settings.FormatException("not a DataFirst record set stream (bad magic number).");
            }

            var version = r.ReadInt32();
            if (version != Version)
            {
                throw new Settings.FormatException($"record set format version {version} is not supported (expected {Version}).");
            }

            var count = r.ReadInt32();
            var names = new string[r.ReadInt32()];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = r.ReadString();
            }

            var sources = new string[r.ReadInt32()];
            for (var i = 0; i < sources.Length; i++)
            {
                sources[i] = r.ReadString();
            }

            return new Preamble(count, names, sources);
        });
    }

    /// <summary>Runs a decoder over the stream; a stream that ends early is a format error, not an end-of-stream crash.</summary>
    private static T Decode<T>(Stream stream, Func<BinaryReader, T> decode)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            return decode(r);
        }
        catch (EndOfStreamException ex)
        {
            throw Truncated(ex);
        }
    }

    internal static Settings.FormatException Truncated(EndOfStreamException ex) => new($"record set stream is truncated ({ex.Message}).");
}

/// <summary>
/// Reads record set streams (<see cref="RecordSet.WriteTo"/>) one after another into one set, decoding each
/// straight into the combined arrays: no part is held whole beside the result, so reading a run's datasets
/// as one set needs the result's memory, not twice it. Each column's values are re-interned across parts.
/// With <c>renumberRows</c> row ids become 0..N-1 in reading order (a run's full record set); without, each
/// record keeps the row id it was written with (a shard). With <c>keep</c>, only those columns are kept: the
/// others are read past (checked, not held), for a step that needs the records' ids but not their values.
/// </summary>
public sealed class RecordSetConcatenation
{
    private readonly string[] _columns;
    private readonly bool[] _kept;
    private readonly bool _renumber;
    private readonly int[][] _codes;
    private readonly List<string>[] _values;
    private readonly Dictionary<string, int>?[] _intern;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>>[] _lookups;
    private char[] _scratch = new char[64];
    private readonly UniqueIdColumn.Builder? _ids;
    private readonly int[] _sourceCodes;
    private readonly int[] _rows;
    private readonly List<string> _sources = [];
    private int _filled;

    /// <summary>The records announced for all parts together.</summary>
    private int Total => _rows.Length;

    /// <param name="columns">The columns every part must have, in order.</param>
    /// <param name="total">The records of all parts together (from <see cref="RecordSet.ReadCount(Stream)"/>).</param>
    /// <param name="renumberRows">Number rows 0..N-1 in reading order instead of keeping their written row ids.</param>
    /// <param name="keep">The columns to keep (null: all); each must be one of <paramref name="columns"/>.</param>
    /// <param name="keepIds">Keep the records' unique ids; without them (read past) the set's ids are
    /// <see cref="UniqueIdColumn.Absent"/>, for a step that never names a record (at national scale the ids weigh as
    /// much as a few key columns).</param>
    public RecordSetConcatenation(IReadOnlyList<string> columns, int total, bool renumberRows = true, IReadOnlyCollection<string>? keep = null, bool keepIds = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        _columns = columns.ToArray();
        if (keep?.FirstOrDefault(k => !_columns.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw new DataException($"column '{unknown}' is not in the record sets; columns: {string.Join(", ", _columns)}.");
        }

        _kept = _columns.Select(c => keep is null || keep.Contains(c, StringComparer.Ordinal)).ToArray();
        _renumber = renumberRows;
        _codes = _columns.Select((_, c) => _kept[c] ? new int[total] : []).ToArray();
        _values = _columns.Select(_ => new List<string> { "" }).ToArray();
        _intern = new Dictionary<string, int>?[_columns.Length];
        _lookups = new Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>>[_columns.Length];
        _ids = keepIds ? new UniqueIdColumn.Builder(total) : null;
        _sourceCodes = new int[total];
        _rows = new int[total];
    }

    /// <summary>Decodes one more part from <paramref name="stream"/>, which must hold that part alone: it is read ahead, past the part's end.</summary>
    public void Append(Stream stream) => Append(stream, RecordSet.Preamble.Read(stream));

    internal void Append(Stream stream, RecordSet.Preamble part)
    {
        if (!part.Columns.SequenceEqual(_columns))
        {
            throw new DataException($"record sets to concatenate have different columns: [{string.Join(", ", _columns)}] vs [{string.Join(", ", part.Columns)}].");
        }

        if (part.Count > Total - _filled)
        {
            throw new Settings.FormatException($"record set parts hold more than the {Total} records announced.");
        }

        var sourceMap = part.Sources.Select(InternSource).ToArray();
        var first = _filled;
        var firstPart = first == 0;
        var r = new RecordStreamReader(stream);
        try
        {
            for (var i = first; i < first + part.Count; i++)
            {
                if (_ids is null)
                {
                    r.SkipString();
                }
                else
                {
                    _ids.Read(r);
                }

                var source = r.ReadVarInt();
                _sourceCodes[i] = (uint)source < (uint)sourceMap.Length ? sourceMap[source] : throw Corrupt("source dataset");
                var row = r.ReadVarInt();
                _rows[i] = _renumber ? i : row;
            }

            for (var c = 0; c < _columns.Length; c++)
            {
                var values = r.ReadInt32();
                if (!_kept[c])
                {
                    Skip(r, c, values, part.Count);
                    continue;
                }

                var map = values >= 0 ? new int[values + 1L] : throw Corrupt($"column '{_columns[c]}' value count");
                for (var k = 1; k < map.Length; k++)
                {
                    map[k] = firstPart ? Add(c, r.ReadString()) : Intern(c, r);
                }

                var dst = _codes[c];
                for (var i = first; i < first + part.Count; i++)
                {
                    var code = r.ReadVarInt();
                    dst[i] = (uint)code < (uint)map.Length ? map[code] : throw Corrupt($"column '{_columns[c]}'");
                }
            }
        }
        catch (EndOfStreamException ex)
        {
            throw RecordSet.Truncated(ex);
        }

        _filled += part.Count;
    }

    /// <summary>The combined set (of the kept columns); every announced record must have been read.</summary>
    public RecordSet Build()
    {
        if (_filled != Total)
        {
            throw new Settings.FormatException($"record set parts held {_filled} records where {Total} were announced.");
        }

        var kept = Enumerable.Range(0, _columns.Length).Where(c => _kept[c]).ToArray();
        return new RecordSet(kept.Select(c => _columns[c]).ToArray(), kept.Select(c => _codes[c]).ToArray(), kept.Select(c => _values[c].ToArray()).ToArray(), _ids?.Build() ?? UniqueIdColumn.Absent(Total), _sourceCodes, _sources.ToArray(), _rows);
    }

    /// <summary>Reads past a column that is not kept, checking its codes as a kept one's are.</summary>
    private void Skip(RecordStreamReader r, int column, int values, int records)
    {
        if (values < 0)
        {
            throw Corrupt($"column '{_columns[column]}' value count");
        }

        for (var k = 0; k < values; k++)
        {
            r.SkipString();
        }

        for (var i = 0; i < records; i++)
        {
            if ((uint)r.ReadVarInt() > (uint)values)
            {
                throw Corrupt($"column '{_columns[column]}'");
            }
        }
    }

    /// <summary>A first part's value: its values are distinct already, so they are taken in order without hashing.</summary>
    private int Add(int column, string value)
    {
        var values = _values[column];
        values.Add(value);
        return values.Count - 1;
    }

    /// <summary>A later part's value: its code in the combined column, looked up as it is decoded (the lookup is built
    /// when the second part arrives); only a value the column lacks becomes a string.</summary>
    private int Intern(int column, RecordStreamReader r)
    {
        if (_intern[column] is null)
        {
            _intern[column] = BuildLookup(_values[column]);
            _lookups[column] = _intern[column]!.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        var chars = r.ReadChars(ref _scratch);
        if (_lookups[column].TryGetValue(chars, out var code))
        {
            return code;
        }

        var value = new string(chars);
        code = Add(column, value);
        _intern[column]![value] = code;
        return code;
    }

    private static Dictionary<string, int> BuildLookup(List<string> values)
    {
        var lookup = new Dictionary<string, int>(values.Count, StringComparer.Ordinal);
        for (var k = 1; k < values.Count; k++)
        {
            lookup[values[k]] = k;
        }

        return lookup;
    }

    private int InternSource(string name)
    {
        var i = _sources.IndexOf(name);
        if (i < 0)
        {
            _sources.Add(name);
            i = _sources.Count - 1;
        }

        return i;
    }

    private static Settings.FormatException Corrupt(string what) => new($"record set stream is corrupt: a {what} code is out of range.");
}

/// <summary>Counts from building a record set; never values.</summary>
public sealed record IngestReport
{
    public required int Records { get; init; }

    public required IReadOnlyDictionary<string, int> RecordsPerDataset { get; init; }

    public required IReadOnlyList<ColumnReport> Columns { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Source datasets beyond this many are counted, not named: that many means the source-dataset column
    /// holds something else (a surname, say), whose values a summary must not list.</summary>
    public const int MaxDatasetsNamed = 20;

    /// <summary>The source datasets' names for a message ("a, b"), or how many there are when there are more than
    /// <see cref="MaxDatasetsNamed"/> (values of a column that does not name datasets).</summary>
    public static string ListDatasets(IReadOnlyCollection<string> names) =>
        names.Count > MaxDatasetsNamed
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{names.Count} datasets, not named: too many for source datasets")
            : string.Join(", ", names);

    /// <summary>The records per source dataset for a summary line ("a 3, b 2"), or only how many datasets there are when
    /// there are more than <see cref="MaxDatasetsNamed"/>.</summary>
    public string DatasetSummary() =>
        RecordsPerDataset.Count > MaxDatasetsNamed
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{RecordsPerDataset.Count} source datasets, not named")
            : string.Join(", ", RecordsPerDataset.Select(kv => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value}")));
}

/// <summary>Per standardised column: missing values, invalid values nulled (e.g. impossible dates), distinct values.</summary>
public sealed record ColumnReport(string Column, string Source, StandardiseKind Standardise, int Nulls, int InvalidNulled, int Distinct);
