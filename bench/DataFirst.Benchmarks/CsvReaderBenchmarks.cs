using System.Text;
using BenchmarkDotNet.Attributes;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Ingest;

namespace DataFirst.Benchmarks;

/// <summary>Reading an extract's rows (<see cref="CsvReader"/>): ingest, the share writers and case linking read every
/// extract this way. 100,000 rows of 20 fields, one in ten quoted, as the ingest activity reads them (trimmed).</summary>
[MemoryDiagnoser]
public class CsvReaderBenchmarks
{
    private const int Rows = 100_000;
    private string text = "";

    [GlobalSetup]
    public void Setup()
    {
        var people = SyntheticPeople.Generate(Rows, 0.25, 5);
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', Enumerable.Range(0, 20).Select(i => $"column_{i}")));
        for (var r = 0; r < Rows; r++)
        {
            var person = people[r];
            for (var f = 0; f < 20; f++)
            {
                var value = person[f % person.Length] ?? "";
                csv.Append(f % 10 == 3 ? $"\"{value}, {f}\"" : value).Append(f < 19 ? ',' : '\n');
            }
        }

        text = csv.ToString();
    }

    [Benchmark]
    public int ReadEveryRow()
    {
        var reader = new CsvReader(new StringReader(text), "benchmark", trimUnquoted: true);
        var fields = 0;
        while (reader.ReadRow() is { } row)
        {
            fields += row.Length;
        }

        return fields;
    }

    /// <summary>Every row read in place (<see cref="CsvReader.ReadRowInPlace"/>): spans, no string per field, as ingest
    /// reads an extract.</summary>
    [Benchmark]
    public int ReadEveryRowInPlace()
    {
        var reader = new CsvReader(new StringReader(text), "benchmark", trimUnquoted: true);
        var chars = 0;
        while (reader.ReadRowInPlace() is { } row)
        {
            chars += row.AllFields.Length + row.Count;
        }

        return chars;
    }

    /// <summary>Four of the 20 columns made into strings (<see cref="CsvReader.KeepOnly"/>), as case linking reads a
    /// wide extract.</summary>
    [Benchmark]
    public int ReadFourColumns()
    {
        var reader = new CsvReader(new StringReader(text), "benchmark", trimUnquoted: true);
        reader.KeepOnly([0, 3, 7, 12]);
        var fields = 0;
        while (reader.ReadRow() is { } row)
        {
            fields += row.Length;
        }

        return fields;
    }
}
