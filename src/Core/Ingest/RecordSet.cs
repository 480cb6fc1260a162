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

    internal RecordSet(string[] columnNames, int[][] codes, string[][] dictionaries, string[] uniqueIds, int[] sourceCodes, string[] sourceNames, int[] rowIds)
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

    public int Count => UniqueIds.Length;

    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Per column, per record: code into <see cref="Dictionaries"/>; 0 = null.</summary>
    internal int[][] Codes { get; }

    /// <summary>Per column: distinct standardised values; index 0 is the null placeholder.</summary>
    internal string[][] Dictionaries { get; }

    internal string[] UniqueIds { get; }

    internal int[] SourceCodes { get; }

    /// <summary>Source dataset names; <see cref="SourceCodes"/> index into it.</summary>
    public IReadOnlyList<string> SourceNames { get; }

    /// <summary>Row id of each record: its ordinal in the full record set (edges and clusters use it).</summary>
    internal int[] RowIds { get; }

    /// <summary>Counts from ingest (null when read from a stream).</summary>
    public IngestReport? Report { get; init; }

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
    public RecordSet Select(IReadOnlyList<int> records)
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

        var ids = new string[records.Count];
        var sources = new int[records.Count];
        var rows = new int[records.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            var r = records[i];
            ids[i] = UniqueIds[r];
            sources[i] = SourceCodes[r];
            rows[i] = RowIds[r];
        }

        return new RecordSet((string[])ColumnNames, codes, Dictionaries, ids, sources, (string[])SourceNames, rows);
    }

    /// <summary>Concatenates sets with the same columns; row ids are renumbered 0..N-1 in order.</summary>
    public static RecordSet Concat(IReadOnlyList<RecordSet> sets)
    {
        if (sets.Count == 0)
        {
            throw new DataException("cannot concatenate zero record sets.");
        }

        var names = (string[])sets[0].ColumnNames;
        foreach (var s in sets)
        {
            if (!s.ColumnNames.SequenceEqual(names))
            {
                throw new DataException($"record sets to concatenate have different columns: [{string.Join(", ", names)}] vs [{string.Join(", ", s.ColumnNames)}].");
            }
        }

        var total = sets.Sum(s => s.Count);
        var codes = new int[names.Length][];
        var dicts = new string[names.Length][];
        for (var c = 0; c < names.Length; c++)
        {
            var intern = new Dictionary<string, int>(StringComparer.Ordinal);
            var values = new List<string> { "" };
            var dst = new int[total];
            var o = 0;
            foreach (var s in sets)
            {
                var map = new int[s.Dictionaries[c].Length];
                for (var k = 1; k < map.Length; k++)
                {
                    var v = s.Dictionaries[c][k];
                    if (!intern.TryGetValue(v, out var code))
                    {
                        code = values.Count;
                        values.Add(v);
                        intern[v] = code;
                    }

                    map[k] = code;
                }

                var src = s.Codes[c];
                for (var i = 0; i < src.Length; i++)
                {
                    dst[o++] = map[src[i]];
                }
            }

            codes[c] = dst;
            dicts[c] = values.ToArray();
        }

        var srcIntern = new Dictionary<string, int>(StringComparer.Ordinal);
        var srcNames = new List<string>();
        var sourceCodes = new int[total];
        var ids = new string[total];
        var p = 0;
        foreach (var s in sets)
        {
            for (var i = 0; i < s.Count; i++)
            {
                var name = s.SourceNames[s.SourceCodes[i]];
                if (!srcIntern.TryGetValue(name, out var sc))
                {
                    sc = srcNames.Count;
                    srcNames.Add(name);
                    srcIntern[name] = sc;
                }

                sourceCodes[p] = sc;
                ids[p] = s.UniqueIds[i];
                p++;
            }
        }

        var rows = Enumerable.Range(0, total).ToArray();
        return new RecordSet(names, codes, dicts, ids, sourceCodes, srcNames.ToArray(), rows);
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
            w.Write(UniqueIds[i]);
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

    public static RecordSet ReadFrom(Stream stream)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
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

            var ids = new string[count];
            var sc = new int[count];
            var rows = new int[count];
            for (var i = 0; i < count; i++)
            {
                ids[i] = r.ReadString();
                sc[i] = r.Read7BitEncodedInt();
                rows[i] = r.Read7BitEncodedInt();
            }

            var codes = new int[names.Length][];
            var dicts = new string[names.Length][];
            for (var c = 0; c < names.Length; c++)
            {
                var d = new string[r.ReadInt32() + 1];
                d[0] = "";
                for (var k = 1; k < d.Length; k++)
                {
                    d[k] = r.ReadString();
                }

                var cc = new int[count];
                for (var i = 0; i < count; i++)
                {
                    cc[i] = r.Read7BitEncodedInt();
                }

                codes[c] = cc;
                dicts[c] = d;
            }

            return new RecordSet(names, codes, dicts, ids, sc, sources, rows);
        }
        catch (EndOfStreamException ex)
        {
            throw new Settings.FormatException($"record set stream is truncated ({ex.Message}).");
        }
    }
}

/// <summary>Counts from building a record set; never values.</summary>
public sealed record IngestReport
{
    public required int Records { get; init; }

    public required IReadOnlyDictionary<string, int> RecordsPerDataset { get; init; }

    public required IReadOnlyList<ColumnReport> Columns { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }
}

/// <summary>Per standardised column: missing values, invalid values nulled (e.g. impossible dates), distinct values.</summary>
public sealed record ColumnReport(string Column, string Source, StandardiseKind Standardise, int Nulls, int InvalidNulled, int Distinct);
