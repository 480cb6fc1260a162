using System.Text;

namespace DataFirst.Core.Deidentification;

/// <summary>
/// linking.csv: <c>person_id, dataset, row_id</c> for every record of every person-level dataset in the share, so
/// researchers can join datasets on the estimated person. Datasets outside the share spec are left out (data
/// minimisation: a project does not learn that a person has records it is not approved for), and so are rows without a
/// person id. Its rows are taken from each person-level dataset's share file as <see cref="ShareDatasetWriter"/>
/// writes it (<see cref="RowsOf"/>): the person id and row id pseudonyms are the file's own, computed once. The
/// file is the <see cref="HeaderLine"/> followed by each dataset's rows.
/// </summary>
public static class LinkingDatasetWriter
{
    public static readonly IReadOnlyList<string> Columns = [ShareRules.PersonIdColumn, "dataset", "row_id"];

    /// <summary>linking.csv's first line, line end included.</summary>
    public static string HeaderLine { get; } = ShareCsvWriter.FormatRow(Columns) + "\n";

    /// <summary>A sink for <see cref="ShareDatasetWriter.WriteAsync(Profiles.DatasetProfile, ShareSpec, TextReader, IPersonIdLookup?, Pseudonymiser, TextWriter, IShareRowSink?, CancellationToken)"/>
    /// that writes <paramref name="dataset"/>'s linking rows (no header) to <paramref name="output"/> as its person-level
    /// share file is written. Writes synchronously: give it a local file or memory.</summary>
    public static LinkingRowsSink RowsOf(string dataset, TextWriter output) => new(dataset, output ?? throw new ArgumentNullException(nameof(output)));
}

/// <summary>Writes the linking rows of one dataset's share file: see <see cref="LinkingDatasetWriter.RowsOf"/>.</summary>
public sealed class LinkingRowsSink : IShareRowSink
{
    private readonly string _dataset;
    private readonly TextWriter? _output; // the sink given to the writer; its parts keep their rows in _lines
    private readonly StringBuilder _lines = new();
    private readonly string[] _cells = new string[3];
    private bool _started;

    internal LinkingRowsSink(string dataset, TextWriter? output)
    {
        _dataset = ShareCsvWriter.Neutralise(dataset);
        _output = output;
    }

    /// <summary>Linking rows written (merged parts included).</summary>
    public long Rows { get; private set; }

    public void Header(IReadOnlyList<string> columns)
    {
        if (columns.Count < 2 || columns[0] != ShareRules.PersonIdColumn)
        {
            throw new DeidentificationException($"Linking rows of '{_dataset}' come from a person-level share file, whose first column is '{ShareRules.PersonIdColumn}' and second the row id.");
        }

        _started = true;
    }

    public void Row(IReadOnlyList<string> cells)
    {
        if (!_started)
        {
            throw new InvalidOperationException("the share file's header comes before its rows.");
        }

        if (cells[0].Length == 0)
        {
            return; // no person id: nothing to link
        }

        _cells[0] = cells[0];
        _cells[1] = _dataset;
        _cells[2] = cells[1];
        ShareCsvWriter.AppendRow(_lines, _cells).Append('\n');
        Rows++;
        if (_output is not null)
        {
            _output.Write(_lines);
            _lines.Clear();
        }
    }

    public IShareRowSink Part() => _started
        ? new LinkingRowsSink(_dataset, null) { _started = true }
        : throw new InvalidOperationException("the share file's header comes before its rows.");

    public void Merge(IShareRowSink part)
    {
        if (part is not LinkingRowsSink rows || rows._output is not null || rows._dataset != _dataset || _output is null)
        {
            throw new ArgumentException("not a part of this sink.", nameof(part));
        }

        _output.Write(rows._lines);
        Rows += rows.Rows;
    }
}
