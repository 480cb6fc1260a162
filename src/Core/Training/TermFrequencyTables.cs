using System.Text;
using DataFirst.Core.Comparisons;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Training;

/// <summary>Relative frequency of each value of the columns with a term-frequency-adjusted exact level,
/// computed over the whole record set (personal data: keep with the working data, not in the model).</summary>
public sealed class TermFrequencyTables
{
    private const int Magic = 0x46544644; // "DFTF"

    // Frequencies by dictionary code for the record set the tables were computed from (not serialised): scorers
    // compiled against that set (or a Select of it, which shares the dictionaries) skip a string lookup per value.
    private readonly Dictionary<string, (string[] Dictionary, double[] Frequencies)>? byCode;

    public TermFrequencyTables(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> tables) => Tables = tables;

    private TermFrequencyTables(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> tables, Dictionary<string, (string[], double[])> byCode)
        : this(tables) => this.byCode = byCode;

    /// <summary>Frequencies of <paramref name="column"/> indexed by the codes of <paramref name="dictionary"/>, when these
    /// tables were computed from a record set with that very dictionary (0 = value absent).</summary>
    internal bool TryGetByCode(string column, string[] dictionary, out double[] frequencies)
    {
        if (byCode is not null && byCode.TryGetValue(column, out var e) && ReferenceEquals(e.Dictionary, dictionary))
        {
            frequencies = e.Frequencies;
            return true;
        }

        frequencies = [];
        return false;
    }

    /// <summary>Column → (standardised value → relative frequency among non-null values).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Tables { get; }

    public static IReadOnlyList<string> TfColumns(LinkageSettings settings) =>
        ComparisonSpec.FromSettings(settings).Where(s => s.Levels.Any(l => l.TfAdjustment)).Select(s => s.Column).Distinct(StringComparer.Ordinal).ToList();

    public static TermFrequencyTables Compute(RecordSet records, LinkageSettings settings)
    {
        var tables = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        var byCode = new Dictionary<string, (string[], double[])>(StringComparer.Ordinal);
        foreach (var col in TfColumns(settings))
        {
            var c = records.ColumnIndex(col);
            var dict = records.Dictionaries[c];
            var counts = new long[dict.Length];
            long nonNull = 0;
            foreach (var code in records.Codes[c])
            {
                if (code != 0)
                {
                    counts[code]++;
                    nonNull++;
                }
            }

            var t = new Dictionary<string, double>(StringComparer.Ordinal);
            var f = new double[dict.Length];
            for (var k = 1; k < dict.Length; k++)
            {
                if (counts[k] > 0)
                {
                    f[k] = (double)counts[k] / nonNull;
                    t[dict[k]] = f[k];
                }
            }

            tables[col] = t;
            byCode[col] = (dict, f);
        }

        return new TermFrequencyTables(tables, byCode);
    }

    public void WriteTo(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Tables.Count);
        foreach (var (col, t) in Tables)
        {
            w.Write(col);
            w.Write(t.Count);
            foreach (var (v, f) in t)
            {
                w.Write(v);
                w.Write(f);
            }
        }
    }

    public static TermFrequencyTables ReadFrom(Stream stream)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (r.ReadInt32() != Magic)
            {
                throw new Settings.FormatException("not a DataFirst term-frequency stream (bad magic number).");
            }

            var tables = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
            var n = r.ReadInt32();
            for (var i = 0; i < n; i++)
            {
                var col = r.ReadString();
                var count = r.ReadInt32();
                var t = new Dictionary<string, double>(count, StringComparer.Ordinal);
                for (var k = 0; k < count; k++)
                {
                    t[r.ReadString()] = r.ReadDouble();
                }

                tables[col] = t;
            }

            return new TermFrequencyTables(tables);
        }
        catch (EndOfStreamException ex)
        {
            throw new Settings.FormatException($"term-frequency stream is truncated ({ex.Message}).");
        }
    }
}
