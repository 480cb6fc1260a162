using System.Text;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Deidentification;

/// <summary>Header reading for the share flow's CSV files (extracts' clean copies, mappings, share files).</summary>
public static class CsvHeaderReading
{
    /// <summary>Reads the header row: a case-insensitive column → index lookup whose errors are de-identification errors.</summary>
    public static async ValueTask<CsvHeader> ReadHeaderAsync(this CsvReader csv, CancellationToken cancellationToken = default)
    {
        var header = await csv.ReadRowAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new DeidentificationException($"{csv.Source}: the file is empty; expected a header row.");
        return new CsvHeader(header, csv.Source, message => new DeidentificationException(message));
    }

    /// <summary>The column's index; a missing column fails naming it and what it is for.</summary>
    public static int Require(this CsvHeader header, string column, string purpose) =>
        header.IndexOf(column) ?? throw header.Error($"{header.Source}: column '{column}' ({purpose}) is missing from the header; check the extract matches its dataset profile.");
}

/// <summary>
/// Writes CSV rows (RFC 4180, comma, LF line ends, quoting when needed). Cells that a spreadsheet
/// would read as a formula (starting with =, +, -, @, tab or CR) are neutralised by a leading
/// apostrophe, except plain numbers in numeric columns (e.g. <c>-3</c>), which no spreadsheet runs.
/// </summary>
public sealed class ShareCsvWriter(TextWriter writer)
{
    private readonly TextWriter _writer = writer ?? throw new ArgumentNullException(nameof(writer));
    private readonly StringBuilder _line = new(256); // one line at a time: rows are written one after another

    public long RowsWritten { get; private set; }

    public async ValueTask WriteRowAsync(IReadOnlyList<string> cells, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        AppendRow(_line.Clear(), cells).Append('\n');
        await _writer.WriteAsync(_line, cancellationToken).ConfigureAwait(false);
        RowsWritten++;
    }

    /// <summary>One CSV line (no line end), cells quoted where needed; no formula neutralising.</summary>
    public static string FormatRow(IReadOnlyList<string> cells) => AppendRow(new StringBuilder(), cells).ToString();

    /// <summary>Appends one CSV line (no line end) to <paramref name="sb"/>, cells quoted where needed; no formula
    /// neutralising. A <see cref="CsvRow"/> (or a share writer's line) is copied from its spans, making no string.</summary>
    public static StringBuilder AppendRow(StringBuilder sb, IReadOnlyList<string> cells)
    {
        var row = cells as ISpanCells;
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            AppendEscaped(sb, row is null ? cells[i] : row.Span(i));
        }

        return sb;
    }

    /// <summary>Prefixes a formula-like cell with an apostrophe; a number in a numeric column is left alone.</summary>
    public static string Neutralise(string value, bool numericColumn = false) =>
        NeedsNeutralising(value, numericColumn) ? "'" + value : value;

    /// <summary>Whether <see cref="Neutralise"/> would prefix the value.</summary>
    internal static bool NeedsNeutralising(ReadOnlySpan<char> value, bool numericColumn) =>
        value.Length > 0 && value[0] is ('=' or '+' or '-' or '@' or '\t' or '\r') && !(numericColumn && IsPlainNumber(value));

    internal static bool IsPlainNumber(ReadOnlySpan<char> value)
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

    private static void AppendEscaped(StringBuilder sb, ReadOnlySpan<char> cell)
    {
        var needsQuotes = cell.IndexOfAny(",\"\r\n") >= 0 || (cell.Length > 0 && (cell[0] == ' ' || cell[^1] == ' '));
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
