using System.Text;
using DataFirst.Core.Synthetic;

namespace DataFirst.Core.Tests.Synthetic;

/// <summary>Runs the generator into memory and reads the files back (a small RFC 4180 reader).</summary>
internal sealed class GeneratedExtracts
{
    private readonly Dictionary<string, MemoryStream> _files = new(StringComparer.Ordinal);

    public GenerationSummary Summary { get; private set; } = null!;

    public IReadOnlyCollection<string> Paths => _files.Keys;

    public static async Task<GeneratedExtracts> GenerateAsync(GeneratorOptions options)
    {
        var output = new GeneratedExtracts();
        output.Summary = await new ExtractGenerator().GenerateAsync(options, output.Open, CancellationToken.None);
        return output;
    }

    private Stream Open(string path)
    {
        var stream = new MemoryStream();
        _files.Add(path, stream);
        return stream;
    }

    public byte[] Bytes(string path) => _files[path].ToArray();

    public string Text(string path) => Encoding.UTF8.GetString(Bytes(path));

    public Table Read(string path) => Table.Parse(Text(path));

    public Table Dataset(string dataset) => Read(ExtractGenerator.FileName(dataset));

    internal sealed class Table
    {
        private readonly Dictionary<string, int> _index;

        private Table(string[] header, List<string[]> rows)
        {
            Header = header;
            Rows = rows;
            _index = header.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => x.i, StringComparer.Ordinal);
        }

        public string[] Header { get; }

        public List<string[]> Rows { get; }

        public int Col(string name) => _index.TryGetValue(name, out var i) ? i : throw new KeyNotFoundException($"no column '{name}' in [{string.Join(",", Header)}]");

        public IEnumerable<string> Values(string column)
        {
            var i = Col(column);
            return Rows.Select(r => r[i]);
        }

        public static Table Parse(string text)
        {
            var records = ParseRecords(text);
            return new Table(records[0], records.Skip(1).ToList());
        }

        public static List<string[]> ParseRecords(string text)
        {
            var records = new List<string[]>();
            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            var i = 0;
            while (i < text.Length)
            {
                var ch = text[i];
                if (quoted)
                {
                    if (ch == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        quoted = false;
                    }
                    else
                    {
                        field.Append(ch);
                    }
                }
                else if (ch == '"' && field.Length == 0)
                {
                    quoted = true;
                }
                else if (ch == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (ch == '\n')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add([.. fields]);
                    fields.Clear();
                }
                else
                {
                    field.Append(ch);
                }

                i++;
            }

            if (field.Length > 0 || fields.Count > 0)
            {
                fields.Add(field.ToString());
                records.Add([.. fields]);
            }

            return records;
        }
    }
}
