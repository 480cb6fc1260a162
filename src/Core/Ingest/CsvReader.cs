using System.Buffers;
using System.Globalization;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Ingest;

/// <summary>
/// The one CSV reader of the product (engine inputs, extracts at ingest, clean copies and share
/// files): RFC 4180 quoted fields with doubled quotes and line breaks inside them, CR, LF and CRLF
/// line ends, a leading byte-order mark dropped, blank lines skipped. Streams row by row from a
/// <see cref="TextReader"/>, synchronously or asynchronously, so a file is never held in memory.
/// <para>Broken input fails with a <see cref="CsvFormatException"/> naming the source and the line,
/// never a cell value: a quoted field that is never closed, or a field longer than
/// <c>maxFieldLength</c> (a stray quote would otherwise swallow the rest of the file into one field).
/// Characters after a closing quote are kept, not dropped.</para>
/// </summary>
public sealed class CsvReader
{
    /// <summary>What a UTF-8 decoder puts for bytes that are not UTF-8 (a Latin-1 or Windows-1252 file's accented
    /// letters): a field holding it was not read as written. The pipeline's ingest quarantines such a row; the engine's
    /// readers refuse the file, naming the line (<see cref="NotUtf8Problem"/>), never the bytes.</summary>
    public const char ReplacementCharacter = '\uFFFD';

    /// <summary>The problem of a row holding <see cref="ReplacementCharacter"/>, in every reader's message.</summary>
    public const string NotUtf8Problem = "bytes that are not valid UTF-8";

    /// <summary>The engine readers' error for the line just read holding <see cref="ReplacementCharacter"/>: the source and
    /// line, never the bytes.</summary>
    public string NotUtf8Message => $"{Source} line {LineNumber}: {NotUtf8Problem} (re-save the file as UTF-8).";

    /// <summary>The longest field accepted by default, in characters (1 Mi).</summary>
    public const int DefaultMaxFieldLength = 1 << 20;

    private static readonly SearchValues<char> QuotedStops = SearchValues.Create("\"\r\n");

    /// <summary>Delimiters <see cref="ReadHeader"/> tries, in order, on a header without the reader's own.</summary>
    private static readonly char[] OtherDelimiters = ['|', '\t', ';'];

    private readonly TextReader _reader;
    private readonly bool _trim;
    private char _delimiter;
    private readonly int _maxFieldLength;
    private SearchValues<char> _unquotedStops;
    private readonly char[] _buffer = new char[1 << 14];
    private readonly CsvRow _row;

    /// <summary>The current row's fields, back to back (a field not kept holds no characters), and where each ends.</summary>
    private char[] _chars = new char[256];
    private int _charCount;
    private int[] _ends = new int[16];
    private int _fieldCount;
    private bool _rowReady;
    private bool[]? _kept;
    private int _fieldLength;
    private int _position;
    private int _length;
    private bool _endOfInput;
    private bool _started;
    private bool _finished;
    private bool _lastWasCr;
    private long _line = 1;
    private long _rowLine;
    private long _quoteLine;
    private State _state;

    /// <param name="reader">The text to read.</param>
    /// <param name="source">Names the input in errors (a file, blob or dataset; never a value).</param>
    /// <param name="trimUnquoted">Trim blanks around unquoted fields and before an opening quote (FEBRL writes ", ").</param>
    /// <param name="delimiter">The field separator.</param>
    /// <param name="maxFieldLength">The longest field accepted, in characters.</param>
    public CsvReader(TextReader reader, string source, bool trimUnquoted = false, char delimiter = ',', int maxFieldLength = DefaultMaxFieldLength)
    {
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFieldLength, 1);
        Source = source;
        _row = new CsvRow(this);
        _trim = trimUnquoted;
        _maxFieldLength = maxFieldLength;
        Delimiter = delimiter;
    }

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
        AfterQuoted,
    }

    /// <summary>Names the input in errors.</summary>
    public string Source { get; }

    /// <summary>The field separator. It may be changed between rows, e.g. once the header shows the file's own.</summary>
    public char Delimiter
    {
        get => _delimiter;

        [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_unquotedStops))]
        set
        {
            if (value is '"' or '\r' or '\n')
            {
                throw new ArgumentException("The delimiter cannot be a quote or a line break.", nameof(value));
            }

            _delimiter = value;
            _unquotedStops = SearchValues.Create([value, '\r', '\n']);
        }
    }

    /// <summary>
    /// Makes strings of these columns' fields only (0-based positions in the row); the other fields of the rows read
    /// after this are parsed as before (quotes, line breaks, the length limit, the row's field count) but come back as
    /// null. A reader that needs a few of a wide extract's columns saves a string a field (case linking reads 12 of the
    /// magistrates' 60). Null: every field, the default.
    /// </summary>
    public void KeepOnly(IEnumerable<int>? columns)
    {
        if (columns is null)
        {
            _kept = null;
            return;
        }

        var list = columns.ToList();
        if (list.Any(c => c < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(columns), "Column positions start at 0.");
        }

        _kept = new bool[list.Count == 0 ? 0 : list.Max() + 1];
        foreach (var column in list)
        {
            _kept[column] = true;
        }
    }

    /// <summary>1-based line of the file on which the last row returned begins.</summary>
    public long LineNumber { get; private set; }

    /// <summary>1-based line on which the last row returned ends (after <see cref="LineNumber"/> only
    /// when a quoted field holds a line break — or a stray quote swallowed the lines after it).</summary>
    public long EndLineNumber { get; private set; }

    /// <summary>
    /// Reads the header row. A header that is one field while <paramref name="missingColumns"/> still finds
    /// columns absent may come from a file delimited otherwise (source systems export with pipes, tabs or
    /// semicolons): each of those is tried on it, and the one leaving fewest columns missing becomes
    /// <see cref="Delimiter"/> for the rest of the file. Null for an empty input.
    /// </summary>
    /// <param name="missingColumns">How many required columns a candidate header lacks.</param>
    public string[]? ReadHeader(Func<string[], int> missingColumns)
    {
        ArgumentNullException.ThrowIfNull(missingColumns);
        var header = ReadRow();
        if (header is not [var single])
        {
            return header;
        }

        var fewest = missingColumns(header);
        if (fewest == 0)
        {
            return header;
        }

        foreach (var delimiter in OtherDelimiters)
        {
            var split = new CsvReader(new StringReader(single), Source, _trim, delimiter).ReadRow() ?? [];
            var missing = missingColumns(split);
            if (missing < fewest)
            {
                (header, fewest) = (split, missing);
                Delimiter = delimiter;
            }
        }

        return header;
    }

    /// <summary>The next row's fields, or null at the end of the input.</summary>
    public string[]? ReadRow() => ReadRowInPlace()?.ToArray();

    /// <summary>
    /// The next row, or null at the end of the input, as spans over the reader's own buffer: no string is made for a
    /// field unless asked (<see cref="CsvRow.this[int]"/>). The same <see cref="CsvRow"/> is returned for every row and
    /// holds the next row's fields after the next read.
    /// </summary>
    public CsvRow? ReadRowInPlace()
    {
        StartRow();
        while (true)
        {
            if (_position == _length && !_endOfInput)
            {
                _length = _reader.Read(_buffer, 0, _buffer.Length);
                _position = 0;
                _endOfInput = _length == 0;
            }

            if (Advance())
            {
                return _rowReady ? _row : null;
            }
        }
    }

    /// <summary>The next row's fields, or null at the end of the input.</summary>
    public async ValueTask<string[]?> ReadRowAsync(CancellationToken cancellationToken = default) =>
        (await ReadRowInPlaceAsync(cancellationToken).ConfigureAwait(false))?.ToArray();

    /// <summary><see cref="ReadRowInPlace"/>, reading the input asynchronously.</summary>
    public async ValueTask<CsvRow?> ReadRowInPlaceAsync(CancellationToken cancellationToken = default)
    {
        StartRow();
        while (true)
        {
            if (_position == _length && !_endOfInput)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _length = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                _position = 0;
                _endOfInput = _length == 0;
            }

            if (Advance())
            {
                return _rowReady ? _row : null;
            }
        }
    }

    /// <summary>Forgets the row handed out by the last read.</summary>
    private void StartRow()
    {
        _rowReady = false;
        _charCount = 0;
        _fieldCount = 0;
    }

    /// <summary>
    /// Consumes buffered characters. True when a row is complete (<see cref="_rowReady"/>) or the input
    /// has ended; false when the buffer needs refilling.
    /// </summary>
    private bool Advance()
    {
        if (_finished)
        {
            return true;
        }

        if (_position == _length)
        {
            if (!_endOfInput)
            {
                return false;
            }

            _finished = true;
            if (_state == State.Quoted)
            {
                throw Error(_quoteLine, "a quoted field opened on this line is never closed (the file ends inside it); check the file is complete and that quotes inside a field are doubled");
            }

            EndRow(atLineBreak: false);
            return true;
        }

        if (!_started)
        {
            _started = true;
            if (_buffer[_position] == '\uFEFF')
            {
                _position++;
                return false;
            }
        }

        while (_position < _length)
        {
            var c = _buffer[_position];
            if (_state == State.Unquoted || (_state == State.Quoted && c != '"'))
            {
                // Copy the run of ordinary characters in one go.
                var stops = _state == State.Unquoted ? _unquotedStops : QuotedStops;
                var span = _buffer.AsSpan(_position, _length - _position);
                var run = span.IndexOfAny(stops);
                if (run != 0)
                {
                    Append(span[..(run < 0 ? span.Length : run)]);
                    _position += run < 0 ? span.Length : run;
                    _lastWasCr = false;
                    continue;
                }
            }

            _position++;
            var lineBreak = c is '\r' or '\n';
            if (lineBreak)
            {
                if (c == '\r' || !_lastWasCr)
                {
                    _line++;
                }

                _lastWasCr = c == '\r';
            }
            else
            {
                _lastWasCr = false;
            }

            switch (_state)
            {
                case State.Quoted:
                    if (c == '"')
                    {
                        _state = State.QuoteInQuoted;
                    }
                    else
                    {
                        Append(c);
                    }

                    continue;
                case State.QuoteInQuoted when c == '"':
                    Append(c);
                    _state = State.Quoted;
                    continue;
                case State.QuoteInQuoted:
                    _state = State.AfterQuoted;
                    break;
            }

            if (lineBreak)
            {
                if (EndRow(atLineBreak: true))
                {
                    return true;
                }

                continue;
            }

            if (_state == State.FieldStart && _fieldCount == 0 && _fieldLength == 0)
            {
                _rowLine = _line;
            }

            if (c == _delimiter)
            {
                EndField();
            }
            else if (_trim && c == ' ' && _state is State.FieldStart or State.AfterQuoted)
            {
                // blank before a field or after its closing quote
            }
            else if (c == '"' && _state == State.FieldStart)
            {
                _state = State.Quoted;
                _quoteLine = _line;
            }
            else
            {
                if (_state == State.FieldStart)
                {
                    _state = State.Unquoted;
                }

                Append(c);
            }
        }

        return false;
    }

    private void Append(char c)
    {
        CheckLength(1);
        if (Kept(_fieldCount))
        {
            Room(1);
            _chars[_charCount++] = c;
        }
    }

    private void Append(ReadOnlySpan<char> chars)
    {
        CheckLength(chars.Length);
        if (Kept(_fieldCount))
        {
            Room(chars.Length);
            chars.CopyTo(_chars.AsSpan(_charCount));
            _charCount += chars.Length;
        }
    }

    private void Room(int adding)
    {
        if (_charCount + adding > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + adding));
        }
    }

    /// <summary>Whether fields of this column are kept (<see cref="KeepOnly"/>).</summary>
    internal bool Kept(int column) => _kept is null || (column < _kept.Length && _kept[column]);

    internal int FieldCount => _rowReady ? _fieldCount : 0;

    /// <summary>Every character of the current row's fields, back to back.</summary>
    internal ReadOnlySpan<char> RowChars => _chars.AsSpan(0, _rowReady ? _charCount : 0);

    /// <summary>Field <paramref name="index"/> of the current row.</summary>
    internal ReadOnlySpan<char> Field(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, FieldCount);
        if (!Kept(index))
        {
            throw new InvalidOperationException($"{Source}: column {index.ToString(CultureInfo.InvariantCulture)} is not kept (CsvReader.KeepOnly), so its values were not read.");
        }

        var start = FieldStart(index);
        return _chars.AsSpan(start, _ends[index] - start);
    }

    /// <summary>Counts the field's characters, kept or not, and refuses a field over the limit.</summary>
    private void CheckLength(int adding)
    {
        _fieldLength += adding;
        if (_fieldLength <= _maxFieldLength)
        {
            return;
        }

        var quoted = _state is State.Quoted or State.QuoteInQuoted;
        throw Error(
            quoted ? _quoteLine : _rowLine,
            $"a field is longer than {_maxFieldLength.ToString("N0", CultureInfo.InvariantCulture)} characters"
            + (quoted ? "; the quote that opens it on this line is probably never closed (quotes inside a field must be doubled)" : "; check the delimiter and line ends"));
    }

    private void EndField()
    {
        if (_trim && _state == State.Unquoted)
        {
            var start = FieldStart(_fieldCount);
            _charCount = start + _chars.AsSpan(start, _charCount - start).TrimEnd().Length;
        }

        if (_fieldCount == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        _ends[_fieldCount++] = _charCount;
        _fieldLength = 0;
        _state = State.FieldStart;
    }

    private int FieldStart(int field) => field == 0 ? 0 : _ends[field - 1];

    /// <summary>Completes the row (<see cref="_rowReady"/>); false for a blank line (nothing since the last line end).</summary>
    private bool EndRow(bool atLineBreak)
    {
        if (_state == State.FieldStart && _fieldCount == 0 && _fieldLength == 0)
        {
            return false;
        }

        EndField();
        LineNumber = _rowLine;
        EndLineNumber = atLineBreak ? _line - 1 : _line;
        _rowReady = true;
        return true;
    }

    private CsvFormatException Error(long line, string problem) => new(Source, line, $"{Source}: line {line.ToString(CultureInfo.InvariantCulture)}: {problem}.");
}

/// <summary>
/// The row a <see cref="CsvReader"/> read last, as spans over the reader's buffer (<see cref="CsvReader.ReadRowInPlace"/>):
/// valid until the reader's next read. Asking for a column not kept (<see cref="CsvReader.KeepOnly"/>) throws; it is
/// null in <see cref="ToArray"/>.
/// </summary>
public sealed class CsvRow : IReadOnlyList<string>, ISpanCells
{
    private readonly CsvReader _reader;

    internal CsvRow(CsvReader reader) => _reader = reader;

    /// <summary>The row's number of fields.</summary>
    public int Count => _reader.FieldCount;

    /// <summary>A new string of field <paramref name="index"/>'s value (each access makes one).</summary>
    public string this[int index] => new(Span(index));

    /// <summary>Field <paramref name="index"/>'s value, without making a string.</summary>
    public ReadOnlySpan<char> Span(int index) => _reader.Field(index);

    /// <summary>Every character of the row's fields, back to back (no delimiters or quotes).</summary>
    public ReadOnlySpan<char> AllFields => _reader.RowChars;

    /// <summary>The fields as strings; a column not kept is null.</summary>
    public string[] ToArray()
    {
        var fields = new string[Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = _reader.Kept(i) ? this[i] : null!;
        }

        return fields;
    }

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)ToArray()).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A CSV input that cannot be read as CSV. The message names the input and line, never a value.</summary>
public sealed class CsvFormatException(string source, long line, string message) : LinkageException(message)
{
    /// <summary>Names the input (file, blob or dataset).</summary>
    public string Input { get; } = source;

    /// <summary>1-based line where the problem starts.</summary>
    public long Line { get; } = line;
}

/// <summary>Cells that can be read as spans without making a string of each (a CSV row, a share line).</summary>
internal interface ISpanCells
{
    /// <summary>Cell <paramref name="index"/>'s characters.</summary>
    ReadOnlySpan<char> Span(int index);
}
