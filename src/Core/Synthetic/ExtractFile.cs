using System.Globalization;
using System.Text;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.Synthetic;

/// <summary>
/// One CSV extract being written, shaped by its <see cref="DatasetProfile"/>: the simulation sets
/// the columns it knows by index; any other profile column is filled plausibly from its type and
/// code list. Also injects malformed rows when asked.
/// </summary>
internal sealed class ExtractFile : IDisposable
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private readonly DatasetProfile _profile;
    private readonly TextWriter _writer;
    private readonly string?[] _values;
    private readonly bool[] _set;
    private readonly int[] _output;
    private readonly string[][] _codes;
    private readonly double[][] _codeCumulative;
    private readonly string?[] _formats;
    private readonly Rng _fillRng;
    private readonly Rng _badRng;
    private readonly double _malformedRate;
    private readonly Action<string, string, string>? _reportBadRow;
    private readonly Action<string, object?>? _rowWritten;
    private readonly bool _shuffle;
    private readonly int _window;
    private readonly Rng _orderRng;
    private readonly List<PendingRow> _pending = [];
    private readonly int _rowIdIndex;
    private readonly StringBuilder _line = new(1024);

    public ExtractFile(DatasetProfile profile, Stream stream, ExtractEncoding encoding, IReadOnlyList<string>? dropColumns,
        int seed, double malformedRate, Action<string, string, string>? reportBadRow, int rowOrderWindow = 1, Action<string, object?>? rowWritten = null)
    {
        _profile = profile;
        var columns = profile.Columns;
        _values = new string?[columns.Count];
        _set = new bool[columns.Count];
        _codes = new string[columns.Count][];
        _codeCumulative = new double[columns.Count][];
        _formats = new string?[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            _codes[i] = columns[i].Codes?.Keys.ToArray() ?? [];
            _formats[i] = columns[i].Format;
            // Codes listed first are the usual ones: weights fall away geometrically.
            var cumulative = new double[_codes[i].Length];
            double total = 0;
            for (var c = 0; c < cumulative.Length; c++)
            {
                total += Math.Pow(0.55, c);
                cumulative[c] = total;
            }

            _codeCumulative[i] = cumulative;
        }

        var drop = new HashSet<string>(dropColumns ?? [], StringComparer.OrdinalIgnoreCase);
        _output = [.. Enumerable.Range(0, columns.Count).Where(i => !drop.Contains(columns[i].Name))];
        _rowIdIndex = Index(profile.UniqueIdColumn);
        var hash = Rng.Mix((ulong)(uint)seed, (ulong)StableHash(profile.Name), 7);
        _fillRng = new Rng(hash);
        _badRng = new Rng(hash ^ 0x5A5A5A5A5A5A5A5AUL);
        _malformedRate = malformedRate;
        _reportBadRow = reportBadRow;
        _rowWritten = rowWritten;
        _orderRng = new Rng(hash ^ 0x0F0F0F0F0F0F0F0FUL);
        _window = Math.Max(1, rowOrderWindow);

        // Shuffling writes the row id at emit time, so it needs the id as the first column written.
        _shuffle = _window > 1 && _output.Length > 1 && _output[0] == _rowIdIndex;
        _writer = new StreamWriter(stream, ToEncoding(encoding), 1 << 16) { NewLine = "\n" };

        _line.Clear();
        for (var o = 0; o < _output.Length; o++)
        {
            if (o > 0)
            {
                _line.Append(',');
            }

            AppendField(_line, columns[_output[o]].Name);
        }

        _writer.Write(_line.Append('\n'));
    }

    public string Name => _profile.Name;

    public DatasetProfile Profile => _profile;

    public long Rows { get; private set; }

    public long MalformedRows { get; private set; }

    /// <summary>The column's index in the profile, or -1 when the profile does not declare it.</summary>
    public int Index(string column)
    {
        var columns = _profile.Columns;
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i].Name, column, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    public int IdentifierIndex(string kind)
    {
        var columns = _profile.Columns;
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i].IdentifierKind, kind, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public string? DateFormat(int index) => index >= 0 ? _formats[index] : null;

    public void Set(int index, string? value)
    {
        if (index >= 0)
        {
            _values[index] = value;
            _set[index] = true;
        }
    }

    public void Set(int index, long value)
    {
        if (index >= 0)
        {
            Set(index, value.ToString(CultureInfo.InvariantCulture));
        }
    }

    public void Set(int index, DateOnly? value)
    {
        if (index >= 0)
        {
            Set(index, value?.ToString(_formats[index] ?? "yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
    }

    public void SetYesNo(int index, bool value) => Set(index, value ? "Y" : "N");

    public void SetMoney(int index, decimal? value)
    {
        if (index >= 0)
        {
            Set(index, value?.ToString("0.00", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Completes the row (filling unset columns) and queues it. Rows leave in a shuffled order
    /// within a bounded window (so a file is not sorted by person), and get their row id, in file
    /// order, when they are written; <paramref name="tag"/> is handed to the row-written callback.
    /// </summary>
    public void WriteRow(DateOnly eventDate, object? tag = null)
    {
        var columns = _profile.Columns;
        var immediate = !_shuffle;
        string? rowId = null;
        if (immediate)
        {
            rowId = (Rows + 1).ToString(CultureInfo.InvariantCulture);
            Set(_rowIdIndex, rowId);
        }
        else
        {
            _set[_rowIdIndex] = true;
        }

        for (var i = 0; i < _values.Length; i++)
        {
            if (!_set[i])
            {
                _values[i] = Fill(i, columns[i], eventDate);
            }
        }

        // With shuffling, the row id (first column) is written at emit time: the body starts after it.
        _line.Clear();
        var malformed = _malformedRate > 0 && _badRng.Chance(_malformedRate) ? 1 + _badRng.Next(3) : 0;
        var skip = malformed == 1 ? 1 + _badRng.Next(Math.Max(1, _output.Length - 1)) : -1;
        var first = immediate;
        for (var o = immediate ? 0 : 1; o < _output.Length; o++)
        {
            if (o == skip)
            {
                continue;
            }

            if (!first)
            {
                _line.Append(',');
            }

            first = false;
            var value = _values[_output[o]];
            if (malformed == 3 && o == _output.Length - 1)
            {
                // A stray quote in the middle of an unquoted field.
                _line.Append("x\"y");
                continue;
            }

            if (value is not null)
            {
                AppendField(_line, value);
            }
        }

        if (malformed == 2)
        {
            _line.Append(",unexpected");
        }

        _line.Append('\n');
        Array.Clear(_values);
        Array.Clear(_set);
        if (immediate)
        {
            _writer.Write(_line);
            Emitted(rowId!, malformed, tag);
            return;
        }

        _pending.Add(new PendingRow(_line.ToString(), malformed, tag));
        if (_pending.Count >= _window)
        {
            FlushPending();
        }
    }

    private void FlushPending()
    {
        // Fisher–Yates with the file's own stream: the order depends only on the seed and row count.
        for (var i = _pending.Count - 1; i > 0; i--)
        {
            var j = _orderRng.Next(i + 1);
            (_pending[i], _pending[j]) = (_pending[j], _pending[i]);
        }

        foreach (var row in _pending)
        {
            var rowId = (Rows + 1).ToString(CultureInfo.InvariantCulture);
            _writer.Write(rowId);
            _writer.Write(row.Body);
            Emitted(rowId, row.Malformed, row.Tag);
        }

        _pending.Clear();
    }

    private void Emitted(string rowId, int malformed, object? tag)
    {
        Rows++;
        if (malformed > 0)
        {
            MalformedRows++;
            _reportBadRow?.Invoke(_profile.Name, rowId, malformed switch { 1 => "missing_field", 2 => "extra_field", _ => "stray_quote" });
        }

        _rowWritten?.Invoke(rowId, tag);
    }

    private sealed record PendingRow(string Body, int Malformed, object? Tag);

    /// <summary>A value for a column the simulation leaves unset. Some are left empty (missing data), but never one the
    /// profile marks required: ingest would quarantine the row (the draws are made either way, so the other values stay
    /// as they were).</summary>
    private string? Fill(int index, ColumnProfile column, DateOnly eventDate)
    {
        var rng = _fillRng;
        switch (column.Type)
        {
            case ColumnType.Categorical when _codes[index].Length > 0:
                {
                    if (rng.Chance(0.01) && !column.Required)
                    {
                        return null;
                    }

                    var cumulative = _codeCumulative[index];
                    var x = rng.NextDouble() * cumulative[^1];
                    var c = Array.BinarySearch(cumulative, x);
                    c = c < 0 ? ~c : c + 1;
                    return _codes[index][Math.Min(c, _codes[index].Length - 1)];
                }

            case ColumnType.Date:
                return rng.Chance(0.05) && !column.Required ? null : eventDate.AddDays(rng.Between(-30, 30)).ToString(_formats[index] ?? "yyyy-MM-dd", CultureInfo.InvariantCulture);
            case ColumnType.Integer:
                return rng.Between(0, 12).ToString(CultureInfo.InvariantCulture);
            case ColumnType.Decimal:
                return rng.Chance(0.7) ? "0.00" : (rng.Between(1, 2000) * 0.25m).ToString("0.00", CultureInfo.InvariantCulture);
            case ColumnType.Boolean:
                return rng.Chance(0.5) ? "true" : "false";
            default:
                return column.Role == ColumnRole.SystemId || column.Required ? $"{column.Name[..Math.Min(3, column.Name.Length)].ToUpperInvariant()}{Rows}" : null;
        }
    }

    private static void AppendField(StringBuilder line, string value)
    {
        var needsQuotes = value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (value.Length > 0 && (value[0] == ' ' || value[^1] == ' '));
        if (!needsQuotes)
        {
            line.Append(value);
            return;
        }

        line.Append('"');
        foreach (var ch in value)
        {
            if (ch == '"')
            {
                line.Append('"');
            }

            line.Append(ch);
        }

        line.Append('"');
    }

    private static Encoding ToEncoding(ExtractEncoding encoding) => encoding switch
    {
        ExtractEncoding.Utf8WithBom => new UTF8Encoding(encoderShouldEmitUTF8Identifier: true),
        ExtractEncoding.Latin1 => Encoding.Latin1,
        ExtractEncoding.Utf16 => new UnicodeEncoding(bigEndian: false, byteOrderMark: true),
        _ => Utf8NoBom,
    };

    internal static int StableHash(string text)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var ch in text)
            {
                hash = (hash ^ ch) * 16777619;
            }

            return hash;
        }
    }

    public void Flush()
    {
        FlushPending();
        _writer.Flush();
    }

    public void Dispose() => _writer.Dispose();
}
