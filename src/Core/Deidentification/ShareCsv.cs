using System.Text;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// A streaming RFC 4180 CSV reader over a <see cref="TextReader"/>: quoted fields, doubled quotes,
/// CR/LF/CRLF line ends and newlines inside quotes. Reads one row at a time so that a dataset never
/// has to be held in memory. Errors name the source and the row number, never a cell value.
/// </summary>
public sealed class ShareCsvReader
{
    private readonly TextReader _reader;
    private readonly string _source;
    private readonly char[] _buffer = new char[16 * 1024];
    private int _position;
    private int _length;
    private bool _endOfInput;
    private readonly StringBuilder _field = new();

    public ShareCsvReader(TextReader reader, string source)
    {
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _source = source;
    }

    /// <summary>1-based number of the last row returned (the header is row 1).</summary>
    public long RowNumber { get; private set; }

    public string Source => _source;

    /// <summary>The next row's fields, or null at the end of the input. Blank lines are skipped.</summary>
    public async ValueTask<string[]?> ReadRowAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var row = await ReadRawRowAsync(cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            RowNumber++;
            if (row.Count == 1 && row[0].Length == 0)
            {
                continue;
            }

            return [.. row];
        }
    }

    /// <summary>Reads the header row and returns a case-insensitive column → index map.</summary>
    public async ValueTask<CsvHeader> ReadHeaderAsync(CancellationToken cancellationToken = default)
    {
        var header = await ReadRowAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new DeidentificationException($"{_source}: the file is empty; expected a header row.");
        if (header.Length > 0 && header[0].Length > 0 && header[0][0] == '\uFEFF')
        {
            header[0] = header[0][1..];
        }

        return new CsvHeader(header, _source);
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_endOfInput)
        {
            return false;
        }

        cancellationToken.ThrowIfCancellationRequested();
        _length = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        _position = 0;
        if (_length == 0)
        {
            _endOfInput = true;
            return false;
        }

        return true;
    }

    private async ValueTask<List<string>?> ReadRawRowAsync(CancellationToken cancellationToken)
    {
        if (_position >= _length && !await FillAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var fields = new List<string>();
        _field.Clear();
        var inQuotes = false;
        var fieldWasQuoted = false;
        while (true)
        {
            if (_position >= _length && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (inQuotes)
                {
                    throw new DeidentificationException($"{_source}: row {RowNumber + 1} has an unterminated quoted field; check the file is complete and quotes are doubled.");
                }

                fields.Add(_field.ToString());
                return fields;
            }

            var c = _buffer[_position++];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (_position >= _length && !await FillAsync(cancellationToken).ConfigureAwait(false))
                    {
                        inQuotes = false;
                        continue;
                    }

                    if (_buffer[_position] == '"')
                    {
                        _field.Append('"');
                        _position++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    _field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when _field.Length == 0 && !fieldWasQuoted:
                    inQuotes = true;
                    fieldWasQuoted = true;
                    break;
                case ',':
                    fields.Add(_field.ToString());
                    _field.Clear();
                    fieldWasQuoted = false;
                    break;
                case '\r':
                    if ((_position < _length || await FillAsync(cancellationToken).ConfigureAwait(false)) && _buffer[_position] == '\n')
                    {
                        _position++;
                    }

                    fields.Add(_field.ToString());
                    return fields;
                case '\n':
                    fields.Add(_field.ToString());
                    return fields;
                default:
                    _field.Append(c);
                    break;
            }
        }
    }
}

/// <summary>A CSV header: column names and a case-insensitive name → index lookup.</summary>
public sealed class CsvHeader
{
    private readonly Dictionary<string, int> _index = new(StringComparer.OrdinalIgnoreCase);

    public CsvHeader(IReadOnlyList<string> names, string source)
    {
        Names = names;
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i].Trim();
            if (!_index.TryAdd(name, i))
            {
                throw new DeidentificationException($"{source}: column '{name}' appears twice in the header; each column must be named once.");
            }
        }

        Source = source;
    }

    public IReadOnlyList<string> Names { get; }

    public string Source { get; }

    public int? IndexOf(string column) => _index.TryGetValue(column, out var i) ? i : null;

    public int Require(string column, string purpose) =>
        IndexOf(column) ?? throw new DeidentificationException($"{Source}: column '{column}' ({purpose}) is missing from the header; check the extract matches its dataset profile.");
}

/// <summary>
/// Writes CSV rows (RFC 4180, comma, LF line ends, quoting when needed). Cells that a spreadsheet
/// would read as a formula (starting with =, +, -, @, tab or CR) are neutralised by a leading
/// apostrophe, except plain numbers in numeric columns (e.g. <c>-3</c>), which no spreadsheet runs.
/// </summary>
public sealed class ShareCsvWriter(TextWriter writer)
{
    private readonly TextWriter _writer = writer ?? throw new ArgumentNullException(nameof(writer));

    public long RowsWritten { get; private set; }

    public async ValueTask WriteRowAsync(IReadOnlyList<string> cells, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sb = AppendRow(new StringBuilder(), cells).Append('\n');
        await _writer.WriteAsync(sb, cancellationToken).ConfigureAwait(false);
        RowsWritten++;
    }

    /// <summary>One CSV line (no line end), cells quoted where needed; no formula neutralising.</summary>
    public static string FormatRow(IReadOnlyList<string> cells) => AppendRow(new StringBuilder(), cells).ToString();

    private static StringBuilder AppendRow(StringBuilder sb, IReadOnlyList<string> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            AppendEscaped(sb, cells[i]);
        }

        return sb;
    }

    /// <summary>Prefixes a formula-like cell with an apostrophe; a number in a numeric column is left alone.</summary>
    public static string Neutralise(string value, bool numericColumn = false)
    {
        if (value.Length == 0)
        {
            return value;
        }

        var first = value[0];
        if (first is not ('=' or '+' or '-' or '@' or '\t' or '\r'))
        {
            return value;
        }

        if (numericColumn && IsPlainNumber(value))
        {
            return value;
        }

        return "'" + value;
    }

    internal static bool IsPlainNumber(string value)
    {
        var start = value[0] is '-' or '+' ? 1 : 0;
        if (start >= value.Length)
        {
            return false;
        }

        var seenDot = false;
        var seenDigit = false;
        for (var i = start; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '.' && !seenDot)
            {
                seenDot = true;
            }
            else if (c is >= '0' and <= '9')
            {
                seenDigit = true;
            }
            else
            {
                return false;
            }
        }

        return seenDigit;
    }

    private static void AppendEscaped(StringBuilder sb, string cell)
    {
        var needsQuotes = cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (cell.Length > 0 && (cell[0] == ' ' || cell[^1] == ' '));
        if (!needsQuotes)
        {
            sb.Append(cell);
            return;
        }

        sb.Append('"');
        foreach (var c in cell)
        {
            if (c == '"')
            {
                sb.Append('"');
            }

            sb.Append(c);
        }

        sb.Append('"');
    }
}
