using System.Globalization;

namespace DataFirst.Core.Ingest;

/// <summary>
/// A CSV header: its column names and a case-insensitive name → index lookup. A name given twice is refused, because
/// a lookup by that name would silently take one of the two columns. Every error is built by the reader's own
/// exception factory, so the share flow raises its <c>DeidentificationException</c> and the engine's readers their
/// <c>DataException</c>; messages name the source and the column, never a value (a repeated name is shown only when the
/// row looks like column names: see <see cref="HeaderCells"/>).
/// </summary>
public sealed class CsvHeader
{
    private readonly Dictionary<string, int> _index = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<string, Exception> _error;

    /// <param name="names">The header row.</param>
    /// <param name="source">Names the file in errors.</param>
    /// <param name="error">Builds the exception for a message.</param>
    /// <param name="asked">Column names the reader looks for: evidence that the row is a header, so that a repeated
    /// name may be shown (<see cref="HeaderCells"/>; a first line that may be data is never echoed).</param>
    public CsvHeader(IReadOnlyList<string> names, string source, Func<string, Exception> error, IEnumerable<string>? asked = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        _error = error ?? throw new ArgumentNullException(nameof(error));
        Names = names;
        Source = source;
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i].Trim();
            if (!_index.TryAdd(name, i))
            {
                throw error(HeaderCells.LookLikeColumnNames(names, asked ?? [])
                    ? $"{source}: column '{name}' appears twice in the header; each column must be named once."
                    : string.Create(CultureInfo.InvariantCulture, $"{source}: cells {_index[name] + 1} and {i + 1} of the first line are equal (ignoring case); {HeaderCells.NotShown(names.Count)}. Add a header row naming each column once."));
            }
        }
    }

    public IReadOnlyList<string> Names { get; }

    public string Source { get; }

    /// <summary>The column's index, or null when the header lacks it (names compared trimmed, ignoring case).</summary>
    public int? IndexOf(string column) => _index.TryGetValue(column.Trim(), out var i) ? i : null;

    /// <summary>The index of the first of <paramref name="names"/> the header has, or null when it has none of them.</summary>
    public int? IndexOfAny(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            if (IndexOf(name) is { } i)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>The exception this header's reader raises, for a message that names the source itself.</summary>
    public Exception Error(string message) => _error(message);
}
