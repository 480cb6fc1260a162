using DataFirst.Core.Settings;

namespace DataFirst.Core.Ingest;

/// <summary>
/// Reads a few named columns of a delimited file: truth files, labelled pairs, and a run's clusters and
/// predictions given back to <c>evaluate</c>. The header may be delimited by commas, pipes, tabs or
/// semicolons (<see cref="CsvReader.ReadHeader"/>) and is looked up through <see cref="CsvHeader"/> (names trimmed,
/// case ignored, a repeated name refused); values are trimmed. A missing column, or a row whose width differs from the
/// header's, fails with a <see cref="DataException"/> naming the file and the line, never a value — instead of an
/// index error or a row silently skipped.
/// </summary>
public static class CsvColumns
{
    /// <summary>The requested columns of each row, in the order asked, with the line the row starts on.</summary>
    /// <param name="path">The file.</param>
    /// <param name="source">Names the file in errors (e.g. <c>--labels 'pairs.csv'</c>).</param>
    /// <param name="columns">Per column wanted, the header names accepted for it (the first present is used).</param>
    public static IEnumerable<(string[] Values, long Line)> Read(string path, string source, params string[][] columns) =>
        CsvColumnFile.ReadRows(path, source, columns);
}

/// <summary>
/// An open file read by named columns, some of which may be optional (<see cref="Has"/> says whether the header has
/// one; an absent optional column reads as an empty string). See <see cref="CsvColumns"/>.
/// </summary>
public sealed class CsvColumnFile : IDisposable
{
    private readonly StreamReader _reader;
    private readonly CsvReader _csv;
    private readonly int[] _index;
    private readonly int _width;

    private CsvColumnFile(StreamReader reader, CsvReader csv, int[] index, int width)
    {
        _reader = reader;
        _csv = csv;
        _index = index;
        _width = width;
    }

    public string Source => _csv.Source;

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    /// <param name="path">The file.</param>
    /// <param name="source">Names the file in errors.</param>
    /// <param name="required">Per required column, the header names accepted for it (the first present is used).</param>
    /// <param name="optional">Per optional column, likewise; these come after the required ones in each row.</param>
    public static CsvColumnFile Open(string path, string source, IReadOnlyList<string[]> required, IReadOnlyList<string[]>? optional = null)
    {
        optional ??= [];
        var reader = new StreamReader(path);
        try
        {
            var csv = new CsvReader(reader, source, trimUnquoted: true);
            var row = csv.ReadHeader(h => required.Count(names => !names.Any(name => h.Any(column => string.Equals(column.Trim(), name, StringComparison.OrdinalIgnoreCase)))))
                ?? throw new DataException($"{source} is empty: it has no header row.");
            var asked = required.Concat(optional).SelectMany(names => names).ToList();
            if (row.Any(h => h.Contains(CsvReader.ReplacementCharacter, StringComparison.Ordinal)))
            {
                throw NotUtf8(csv);
            }

            var header = new CsvHeader(row, source, message => new DataException(message), asked);
            var missing = required.Where(names => header.IndexOfAny(names) is null).Select(names => string.Join(" or ", names)).ToList();
            if (missing.Count > 0)
            {
                throw new DataException($"{source} lacks column(s) {string.Join(", ", missing)}; {HeaderCells.Describe(row, asked)}.");
            }

            var index = required.Concat(optional).Select(names => header.IndexOfAny(names) ?? -1).ToArray();
            return new CsvColumnFile(reader, csv, index, row.Length);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Opens the file, reads its rows (<see cref="Rows"/>) and closes it, for a reader that need not ask
    /// <see cref="Has"/>: an absent optional column reads as "".</summary>
    public static IEnumerable<(string[] Values, long Line)> ReadRows(string path, string source, IReadOnlyList<string[]> required, IReadOnlyList<string[]>? optional = null)
    {
        using var file = Open(path, source, required, optional);
        foreach (var row in file.Rows())
        {
            yield return row;
        }
    }

    /// <summary>Whether the header has the <paramref name="column"/>-th column asked for (required ones always).</summary>
    public bool Has(int column) => _index[column] >= 0;

    /// <summary>The asked columns of each remaining row, in the order asked, with the line the row starts on.</summary>
    public IEnumerable<(string[] Values, long Line)> Rows()
    {
        while (_csv.ReadRow() is { } row)
        {
            if (row.Length != _width)
            {
                throw new DataException($"{Source} line {_csv.LineNumber}: {row.Length} field(s) where the header has {_width}.");
            }

            if (row.Any(f => f.Contains(CsvReader.ReplacementCharacter, StringComparison.Ordinal)))
            {
                throw NotUtf8(_csv);
            }

            var values = new string[_index.Length];
            for (var i = 0; i < _index.Length; i++)
            {
                values[i] = _index[i] < 0 ? "" : row[_index[i]].Trim();
            }

            yield return (values, _csv.LineNumber);
        }
    }

    public void Dispose() => _reader.Dispose();

    private static DataException NotUtf8(CsvReader csv) => new(csv.NotUtf8Message);
}
