using DataFirst.Core.Ingest;

namespace DataFirst.Core.CaseLinking;

/// <summary>
/// The part of a court extract that case linking reads, taken while ingest streams the extract: the columns
/// <see cref="CaseLinker"/> uses (named and ordered as in the extract) and, for the magistrates' court, only the rows
/// with a route flag set (sent for trial, committed for sentence, appeal lodged): most cases never reach the Crown
/// Court, and the linker passes over the others. Linking from the projections gives the same links as linking from the
/// whole clean extracts, from a small share of their bytes.
/// </summary>
public sealed class CaseLinkProjection
{
    private readonly int[] _columns;
    private readonly int[] _flags;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _yes;
    private readonly Row _row;

    private CaseLinkProjection(IReadOnlyList<string> header, IEnumerable<string> columns, IEnumerable<string> flags, CaseLinkingOptions options, bool filter)
    {
        Filtered = filter;
        // The header lookup every CSV reader uses (names trimmed, case ignored, a name given twice refused), so the
        // projection finds the columns the linker would find in the whole extract.
        var names = new CsvHeader(header, "case-link projection", message => new Settings.DataException(message));
        _columns = columns.Select(names.IndexOf).OfType<int>().Distinct().Order().ToArray();
        _flags = flags.Select(names.IndexOf).OfType<int>().ToArray();
        _yes = new HashSet<string>(options.YesValues, StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        Header = _columns.Select(c => header[c]).ToArray();
        _row = new Row(_columns);
    }

    /// <summary>The projection's header: the columns case linking reads that the extract has.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The projection of <paramref name="dataset"/>'s extract with this header, or null for a dataset case
    /// linking does not read.</summary>
    public static CaseLinkProjection? For(string dataset, IReadOnlyList<string> header, CaseLinkingOptions? options = null)
    {
        options ??= new CaseLinkingOptions();
        return dataset == options.MagistratesDataset ? new CaseLinkProjection(header, options.MagistratesColumns, options.RouteFlagColumns, options, filter: true)
            : dataset == options.CrownCourtDataset ? new CaseLinkProjection(header, options.CrownCourtColumns, [], options, filter: false)
            : null;
    }

    /// <summary>Whether rows without a route flag set are left out (the magistrates' court).</summary>
    public bool Filtered { get; }

    /// <summary>The projection of <paramref name="row"/> (a full-width row of the extract), or null when case linking
    /// would pass over it. The same view is returned for every row: write it before the next.</summary>
    public IReadOnlyList<string>? Project(CsvRow row)
    {
        if (Filtered && !_flags.Any(f => _yes.Contains(row.Span(f).Trim())))
        {
            return null;
        }

        _row.Source = row;
        return _row;
    }

    /// <summary>The projected fields of one row, read as spans from the reader's buffer.</summary>
    private sealed class Row(int[] columns) : IReadOnlyList<string>, ISpanCells
    {
        public CsvRow Source { get; set; } = null!;

        public int Count => columns.Length;

        public string this[int index] => Source[columns[index]];

        public ReadOnlySpan<char> Span(int index) => Source.Span(columns[index]);

        public IEnumerator<string> GetEnumerator() => Enumerable.Range(0, Count).Select(i => this[i]).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
