using System.Text;
using System.Text.Json;
using DataFirst.Core.Evaluation;

namespace DataFirst.Cli.Tests.Engine;

/// <summary>Runs the CLI in process and writes small synthetic inputs for the engine verbs.</summary>
internal static class EngineCli
{
    public static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The JSON document on the last non-empty line of <paramref name="output"/>.</summary>
    public static JsonElement LastJson(string output)
    {
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        using var doc = JsonDocument.Parse(last);
        return doc.RootElement.Clone();
    }

    /// <summary>Synthetic people (about 25% duplicates) as CSV with the columns of <see cref="SyntheticPeople.Header"/>
    /// (person_id is the truth). Returns the rows written.</summary>
    public static List<string?[]> WritePeople(string path, int records, int seed)
    {
        var rows = SyntheticPeople.Generate(records, 0.25, seed);
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', SyntheticPeople.Header));
        foreach (var r in rows)
        {
            sb.AppendLine(string.Join(',', r.Select(Quote)));
        }

        File.WriteAllText(path, sb.ToString());
        return rows;
    }

    /// <summary>The bench settings (names with JW + TF, date of birth, postcode, sex) with match_threshold 0.5.</summary>
    public static void WriteSettings(string path) =>
        File.WriteAllText(path, SyntheticPeople.BenchSettings.Replace("\"match_threshold\": 0.9", "\"match_threshold\": 0.5", StringComparison.Ordinal));

    /// <summary>Writes <paramref name="records"/> synthetic people to people.csv in <paramref name="folder"/> and links them
    /// with <see cref="WriteSettings"/> into folder/out (model.json, predictions.csv, clusters.csv).</summary>
    public static async Task<(string Input, List<string?[]> Rows)> LinkPeople(string folder, int records, int seed)
    {
        var input = Path.Combine(folder, "people.csv");
        var rows = WritePeople(input, records, seed);
        WriteSettings(Path.Combine(folder, "settings.json"));
        var (code, _, error) = await Run("link", "--settings", Path.Combine(folder, "settings.json"), "--input", input, "--out", Path.Combine(folder, "out"));
        code.Should().Be(CliApp.ExitOk, error);
        return (input, rows);
    }

    public static List<string[]> ReadCsv(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();

    private static string Quote(string? v) =>
        v is null ? "" : v.IndexOfAny([',', '"']) >= 0 ? $"\"{v.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : v;
}
