using DataFirst.Core.Settings;

namespace DataFirst.Core.Ingest;

/// <summary>Builds a standardised <see cref="RecordSet"/> from one or more inputs (CSV or rows).</summary>
public sealed class RecordSetBuilder
{
    private readonly LinkageSettings settings;
    private readonly IReadOnlyList<ColumnSettings> columns;
    private readonly CodeColumn[] codes;
    private readonly Dictionary<string, int>[] rawCache;
    private readonly Dictionary<string, int>[] intern;
    private readonly List<string>[] values;
    private readonly int[] nulls;
    private readonly int[] invalid;
    private readonly HashSet<string> nullValues;
    // The ids as UTF-8 bytes with a set of record positions keyed by (source dataset, id) to find a repeat: about 40
    // bytes a record with its line, where a string per id and a dictionary of them took about 100 (4.4 M magistrates'
    // rows: some 300 MB of an ingest activity's memory). With checked ids (the pipeline's ingest, which quarantines a
    // repeat before the row gets here) the caller's check holds them, and the builder keeps neither ids nor lines.
    private readonly IdRepeatCheck ids;
    private readonly bool idsChecked;
    private readonly List<long> lines = [];
    private int count;
    private bool built;
    private readonly List<int> sourceCodes = [];
    private readonly List<string> sourceNames = [];
    private readonly Dictionary<string, int> perDataset = new(StringComparer.Ordinal);
    private readonly List<string> warnings = [];
    // Each input added, by its first record: names the input where a repeated id was first seen.
    private readonly List<(int FirstRecord, string Label)> inputs = [];
    private bool sourceColumnRead;

    public RecordSetBuilder(LinkageSettings settings)
        : this(settings, null)
    {
    }

    /// <param name="checkedIds">The rows' ids, already checked by the caller (not empty, trimmed, none repeated) and
    /// added in the order the rows will be: the builder neither reads nor checks the id column, and takes the ids from
    /// here when it builds (by then every id must have been added). Null: the builder reads and checks them.</param>
    internal RecordSetBuilder(LinkageSettings settings, IdRepeatCheck? checkedIds)
    {
        this.settings = settings;
        columns = settings.RequiredColumns();
        var n = columns.Count;
        codes = new CodeColumn[n];
        rawCache = new Dictionary<string, int>[n];
        intern = new Dictionary<string, int>[n];
        values = new List<string>[n];
        nulls = new int[n];
        invalid = new int[n];
        for (var i = 0; i < n; i++)
        {
            codes[i] = new CodeColumn();
            rawCache[i] = new Dictionary<string, int>(StringComparer.Ordinal);
            intern[i] = new Dictionary<string, int>(StringComparer.Ordinal);
            values[i] = [""];
        }

        nullValues = new HashSet<string>(settings.NullValues, StringComparer.Ordinal);
        idsChecked = checkedIds is not null;
        ids = checkedIds ?? new IdRepeatCheck(record => sourceCodes[record]);
    }

    /// <summary>Reads a CSV with a header row. <paramref name="datasetName"/> is used as the source dataset when
    /// the source dataset column is absent; <paramref name="inputLabel"/> names the input in errors.</summary>
    public RecordSetBuilder AddCsv(TextReader reader, string datasetName, string? inputLabel = null)
    {
        var csv = new CsvReader(reader, $"input '{inputLabel ?? datasetName}'", trimUnquoted: true);
        var required = InputColumns().ToHashSet(StringComparer.Ordinal);
        var header = csv.ReadHeader(h => required.Except(h.Select(n => n.Trim())).Count())
            ?? throw new DataException($"input '{inputLabel ?? datasetName}' is empty: no header row.");
        if (header.Any(h => h.Contains(CsvReader.ReplacementCharacter, StringComparison.Ordinal)))
        {
            throw NotUtf8(csv);
        }

        return AddRows(header, Rows(csv), datasetName, inputLabel, () => csv.LineNumber);
    }

    /// <summary>The rows; one holding U+FFFD, which the reader's decoder puts for bytes that are not UTF-8 (Latin-1's
    /// <c>ç</c>, <c>ü</c>), fails: decoded so, <c>Müller</c> and <c>Mäller</c> would be equal values and two ids a
    /// false repeat. There is no quarantine here (the pipeline's ingest quarantines such a row), so the input is refused.</summary>
    private static IEnumerable<string?[]> Rows(CsvReader csv)
    {
        while (csv.ReadRowInPlace() is { } row)
        {
            if (row.AllFields.Contains(CsvReader.ReplacementCharacter))
            {
                throw NotUtf8(csv);
            }

            yield return row.ToArray();
        }
    }

    private static DataException NotUtf8(CsvReader csv) => new(csv.NotUtf8Message);

    /// <summary>The input columns the standardised columns are read from, and the unique id column.</summary>
    private IEnumerable<string> InputColumns() =>
        columns.SelectMany(c => c.Sources is { Count: > 0 } parts ? parts : [c.SourceColumn]).Append(settings.UniqueIdColumn);

    /// <summary>Adds rows (values in <paramref name="header"/> order).</summary>
    public RecordSetBuilder AddRows(IReadOnlyList<string> header, IEnumerable<string?[]> rows, string datasetName, string? inputLabel = null, Func<long>? lineNumber = null)
    {
        var label = inputLabel ?? datasetName;
        inputs.Add((count, label));
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            if (!index.TryAdd(header[i].Trim(), i))
            {
                repeated.Add(header[i].Trim());
            }
        }

        // A column the settings use must be named once: with two, either could be meant (an unused repeat is harmless).
        int? Lookup(string col, string what) =>
            repeated.Contains(col)
                ? throw new DataException($"input '{label}': column '{col}' ({what}) is named more than once in the header; rename or drop one.")
                : index.TryGetValue(col, out var i) ? i : null;

        int Find(string col, string what) =>
            Lookup(col, what)
                ?? throw new DataException($"input '{label}': column '{col}' ({what}) is missing; {HeaderCells.Describe(header, Asked())}. Fix the settings or the input.");

        // The columns this builder reads: evidence that a first line naming one of them is a header (HeaderCells).
        IEnumerable<string> Asked() => InputColumns().Append(settings.SourceDatasetColumn);

        var idCol = Find(settings.UniqueIdColumn, "unique_id_column");
        var srcCol = Lookup(settings.SourceDatasetColumn, "source_dataset_column") ?? -1;
        sourceColumnRead |= srcCol >= 0;
        var map = new int[columns.Count];
        var multi = new int[columns.Count][];
        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].Sources is { Count: > 0 } parts)
            {
                multi[c] = parts.Select(p => Find(p, $"source of standardised column '{columns[c].Name}'")).ToArray();
                map[c] = -1;
            }
            else
            {
                map[c] = Find(columns[c].SourceColumn, $"source of standardised column '{columns[c].Name}'");
            }
        }

        var before = count;
        long rowNumber = 1;
        foreach (var row in rows)
        {
            rowNumber++;
            var line = lineNumber?.Invoke() ?? rowNumber;
            if (row.Length != header.Count)
            {
                throw new DataException($"input '{label}' line {line}: {row.Length} fields, expected {header.Count} (as in the header).");
            }

            var id = row[idCol];
            if (!idsChecked && string.IsNullOrWhiteSpace(id))
            {
                throw new DataException($"input '{label}' line {line}: column '{settings.UniqueIdColumn}' (unique id) is empty.");
            }

            var source = srcCol >= 0 && !string.IsNullOrWhiteSpace(row[srcCol]) ? row[srcCol]!.Trim() : datasetName;
            var sc = sourceNames.IndexOf(source);
            if (sc < 0)
            {
                sc = sourceNames.Count;
                sourceNames.Add(source);
            }

            sourceCodes.Add(sc);
            if (!idsChecked)
            {
                if (ids.Add(id!.AsSpan().Trim()) is var first and >= 0)
                {
                    throw new DataException($"input '{label}' line {line}: duplicate unique id in column '{settings.UniqueIdColumn}' for source dataset '{source}' ({FirstSeen(first, before, label)}). Unique ids must be unique per source dataset.");
                }

                lines.Add(line);
            }

            count++;
            perDataset[source] = perDataset.GetValueOrDefault(source) + 1;
            for (var c = 0; c < columns.Count; c++)
            {
                codes[c].Add(Code(c, map[c] >= 0 ? row[map[c]] : Join(row, multi[c])));
            }
        }

        if (count == before)
        {
            throw new DataException($"input '{label}' has no records (header only). Provide at least one row.");
        }

        return this;
    }

    /// <summary>Where the record <paramref name="first"/> came from: its line, and its input when that is an earlier one
    /// (<paramref name="before"/>: the first record of the input being added).</summary>
    private string FirstSeen(int first, int before, string label)
    {
        if (first >= before)
        {
            return $"first seen at line {lines[first]}";
        }

        var earlier = inputs.Last(i => i.FirstRecord <= first).Label;
        return $"first seen in input '{earlier}' line {lines[first]}"
            + (earlier == label ? ", an earlier input of the same name: is the same file given twice?" : "");
    }

    private string? Join(string?[] row, int[] parts)
    {
        foreach (var p in parts)
        {
            var v = row[p];
            if (v is null || v.Length == 0 || nullValues.Contains(v))
            {
                return null;
            }
        }

        return string.Join('-', parts.Select(p => row[p]!.Trim()));
    }

    private int Code(int c, string? raw)
    {
        if (raw is null || raw.Length == 0)
        {
            nulls[c]++;
            return 0;
        }

        // A value seen before is one lookup (a configured null value is cached as null the first time).
        if (rawCache[c].TryGetValue(raw, out var code))
        {
            if (code <= 0)
            {
                nulls[c]++;
                if (code < 0)
                {
                    invalid[c]++;
                }

                return 0;
            }

            return code;
        }

        if (nullValues.Contains(raw))
        {
            rawCache[c][raw] = 0;
            nulls[c]++;
            return 0;
        }

        var std = Standardiser.Apply(columns[c].Standardise, raw, out var bad);
        if (std is null || nullValues.Contains(std))
        {
            rawCache[c][raw] = bad ? -1 : 0;
            nulls[c]++;
            if (bad)
            {
                invalid[c]++;
            }

            return 0;
        }

        if (!intern[c].TryGetValue(std, out code))
        {
            code = values[c].Count;
            values[c].Add(std);
            intern[c][std] = code;
        }

        rawCache[c][raw] = code;
        return code;
    }

    public RecordSet Build()
    {
        // Building lets the codes go (below), so it happens once.
        if (built)
        {
            throw new InvalidOperationException("this builder has already built its record set.");
        }

        if (count == 0)
        {
            throw new DataException("no input records: add at least one non-empty dataset.");
        }

        if (ids.Count != count)
        {
            throw new InvalidOperationException($"{ids.Count} checked unique ids were given for {count} records.");
        }

        built = true;
        if (sourceColumnRead && perDataset.Count > IngestReport.MaxDatasetsNamed)
        {
            warnings.Add($"source_dataset_column '{settings.SourceDatasetColumn}' has {perDataset.Count} distinct values, too many for a source-dataset column (it should name the dataset each record comes from, e.g. 'gp' or 'hospital'), so they are not listed; check the setting.");
        }

        var reports = new List<ColumnReport>();
        for (var c = 0; c < columns.Count; c++)
        {
            reports.Add(new ColumnReport(columns[c].Name, columns[c].SourceColumn, columns[c].Standardise, nulls[c], invalid[c], values[c].Count - 1));
            if (nulls[c] == count)
            {
                warnings.Add($"column '{columns[c].Name}' (from input column '{columns[c].SourceColumn}') is null in all {count} records: its comparisons carry no evidence and its blocking rules produce no pairs.");
            }
            else if (invalid[c] > 0)
            {
                warnings.Add($"column '{columns[c].Name}': {invalid[c]} values could not be read as {columns[c].Standardise} and were set to null.");
            }
        }

        // Each column's chunks are let go once copied, so building holds one column twice at most.
        var columnCodes = new int[codes.Length][];
        for (var c = 0; c < codes.Length; c++)
        {
            columnCodes[c] = codes[c].ToArray();
            codes[c] = new CodeColumn();
        }

        var set = new RecordSet(
            columns.Select(c => c.Name).ToArray(),
            columnCodes,
            values.Select(l => l.ToArray()).ToArray(),
            ids.Build(),
            sourceCodes.ToArray(),
            sourceNames.ToArray(),
            Enumerable.Range(0, count).ToArray())
        {
            Report = new IngestReport
            {
                Records = count,
                RecordsPerDataset = new Dictionary<string, int>(perDataset, StringComparer.Ordinal),
                Columns = reports,
                Warnings = warnings.ToList(),
            },
        };
        return set;
    }

    /// <summary>A column's codes, appended in chunks of 16 Ki: a list would double (4.4 M codes in room for 8.4 M) and
    /// copy itself as it grows.</summary>
    private sealed class CodeColumn
    {
        private const int ChunkShift = 14;
        private const int ChunkMask = (1 << ChunkShift) - 1;
        private readonly List<int[]> chunks = [];
        private int count;

        public void Add(int code)
        {
            if ((count & ChunkMask) == 0)
            {
                chunks.Add(new int[1 << ChunkShift]);
            }

            chunks[^1][count & ChunkMask] = code;
            count++;
        }

        public int[] ToArray()
        {
            var all = new int[count];
            for (var k = 0; k < chunks.Count; k++)
            {
                var start = k << ChunkShift;
                chunks[k].AsSpan(0, Math.Min(1 << ChunkShift, count - start)).CopyTo(all.AsSpan(start));
            }

            return all;
        }
    }
}
