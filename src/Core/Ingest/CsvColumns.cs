using DataFirst.Core.Settings;

namespace DataFirst.Core.Ingest;

/// <summary>
/// Reads a few named columns of a delimited file: truth files, labelled pairs, and a run's clusters and
/// predictions given back to <c>evaluate</c>. The header may be delimited by commas, pipes, tabs or
/// semicolons (<see cref="CsvReader.ReadHeader"/>); values are trimmed. A missing column, or a row whose
/// width differs from the header's, fails with a <see cref="DataException"/> naming the file and the line,
/// never a value — instead of an index error or a row silently skipped.
/// </summary>
public static class CsvColumns
{
    /// <summary>The requested columns of each row, in the order asked, with the line the row starts on.</summary>
    /// <param name="path">The file.</param>
    /// <param name="source">Names the file in errors (e.g. <c>--labels 'pairs.csv'</c>).</param>
    /// <param name="columns">Per column wanted, the header names accepted for it (the first present is used).</param>
    public static IEnumerable<(string[] Values, long Line)> Read(string path, string source, params string[][] columns)
    {
        using var reader = new StreamReader(path);
        var csv = new CsvReader(reader, source, trimUnquoted: true);
        var header = csv.ReadHeader(h => columns.Count(names => Find(h, names) < 0))?.Select(h => h.Trim()).ToArray();
        if (header is null)
        {
            throw new DataException($"{source} is empty: it has no header row.");
        }

        var index = columns.Select(names => Find(header, names)).ToArray();
        var missing = columns.Where((_, i) => index[i] < 0).Select(names => string.Join(" or ", names)).ToList();
        if (missing.Count > 0)
        {
            throw new DataException($"{source} lacks column(s) {string.Join(", ", missing)}; its header has: {string.Join(", ", header)}.");
        }

        while (csv.ReadRow() is { } row)
        {
            if (row.Length != header.Length)
            {
                throw new DataException($"{source} line {csv.LineNumber}: {row.Length} field(s) where the header has {header.Length}.");
            }

            var values = new string[index.Length];
            for (var i = 0; i < index.Length; i++)
            {
                values[i] = row[index[i]].Trim();
            }

            yield return (values, csv.LineNumber);
        }
    }

    private static int Find(string[] header, string[] names)
    {
        foreach (var name in names)
        {
            var i = Array.FindIndex(header, h => h.Trim() == name);
            if (i >= 0)
            {
                return i;
            }
        }

        return -1;
    }
}
