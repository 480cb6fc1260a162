using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataFirst.Core.Clustering;
using DataFirst.Core.Ingest;
using DataFirst.Core.Prediction;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Evaluation;

/// <summary>One labelled dataset with example settings (examples/evaluation.json).</summary>
public sealed record EvaluationCase(string Name, string Settings, string Dataset, string TruthColumn, string? TruthPattern, double MinF1);

public sealed record SweepRow(double Threshold, QualityMetrics Metrics, int Clusters);

/// <param name="RecordsBlankTruth">Records left out of scoring because their truth label is blank (unknown entity).</param>
public sealed record EvaluationCaseResult(string Name, int Records, long Comparisons, double Threshold, QualityMetrics Metrics, IReadOnlyList<SweepRow> Sweep, double Seconds, bool Passed, double MinF1, int RecordsBlankTruth = 0);

/// <summary>Runs the example settings against the public labelled datasets and reports precision/recall/F1.</summary>
public static class EvaluationSuite
{
    public static readonly double[] SweepThresholds = [0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999];

    /// <summary>The datasets folder: env DATAFIRST_DATASETS, else ../shared/datasets relative to the repo root; null when absent.</summary>
    public static string? LocateDatasets(string repoRoot)
    {
        var env = Environment.GetEnvironmentVariable("DATAFIRST_DATASETS");
        var path = !string.IsNullOrWhiteSpace(env) ? env : Path.GetFullPath(Path.Combine(repoRoot, "..", "shared", "datasets"));
        return Directory.Exists(path) ? path : null;
    }

    /// <summary>Walks up from <paramref name="start"/> to the folder holding DataFirst.Serverless.sln.</summary>
    public static string? FindRepoRoot(string start)
    {
        var dir = new DirectoryInfo(start);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataFirst.Serverless.sln")))
            {
                return dir.FullName;
            }

            dir = dir.Parent;
        }

        return null;
    }

    public static IReadOnlyList<EvaluationCase> LoadCases(string examplesDir) =>
        JsonSerializer.Deserialize<List<EvaluationCase>>(File.ReadAllText(Path.Combine(examplesDir, "evaluation.json")), SettingsJson.Options)
        ?? throw new SettingsException("$", "examples/evaluation.json is empty.");

    public static EvaluationCaseResult RunCase(EvaluationCase c, string examplesDir, string datasetsDir, DateTimeOffset nowUtc)
    {
        var sw = Stopwatch.StartNew();
        var settings = LinkageSettings.Load(Path.Combine(examplesDir, c.Settings));
        var file = Path.Combine(datasetsDir, c.Dataset);
        RecordSet records;
        using (var reader = new StreamReader(file))
        {
            records = new RecordSetBuilder(settings).AddCsv(reader, Path.GetFileNameWithoutExtension(file), c.Dataset).Build();
        }

        var truth = ReadTruth(file, settings.UniqueIdColumn, c.TruthColumn, c.TruthPattern);

        // A blank truth label means the entity is unknown, as `evaluate --truth` reads it: such records are left out of
        // scoring. Giving them all the label "" would make them one entity and count every link between them as missed.
        var scored = Enumerable.Range(0, records.Count).Where(i => truth.TryGetValue(records.UniqueId(i), out var label) && label.Length > 0).ToArray();
        var truthLabels = scored.Select(i => truth[records.UniqueId(i)]).ToList();
        var model = ModelTrainer.Train(records, settings, nowUtc);
        var low = Math.Min(SweepThresholds[0], settings.MatchThreshold);
        var tf = TermFrequencyTables.Compute(records, model.Settings);
        var (edges, scores) = InMemoryLinker.Predict(records, model, tf, threshold: low);
        var sweep = new List<SweepRow>();
        foreach (var t in SweepThresholds.Append(settings.MatchThreshold).Distinct().Order())
        {
            var cl = InMemoryLinker.Cluster(records, model, tf, edges, t);
            sweep.Add(new SweepRow(t, LinkageMetrics.Compare(scored.Select(i => cl.ClusterIds[i].ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), truthLabels), cl.Metrics.Clusters));
        }

        var chosen = sweep.First(s => s.Threshold == settings.MatchThreshold);
        return new EvaluationCaseResult(c.Name, records.Count, scores.Sum(s => s.Comparisons), settings.MatchThreshold, chosen.Metrics, sweep, sw.Elapsed.TotalSeconds, chosen.Metrics.F1 >= c.MinF1, c.MinF1, records.Count - scored.Length);
    }

    /// <summary>unique id → truth label (the regex's first group when a pattern is given). An id given twice with
    /// two labels fails naming the line.</summary>
    public static Dictionary<string, string> ReadTruth(string file, string idColumn, string truthColumn, string? pattern)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var source = $"truth file '{file}'";
        foreach (var row in ReadTruthRows(file, source, idColumn, truthColumn, pattern, datasetColumn: null, datasetRequired: false))
        {
            AddTruth(map, row.Id, row.Label, source, row.Line);
        }

        return map;
    }

    /// <summary>The rows of a truth file: unique id, source dataset ("" when <paramref name="datasetColumn"/> is null or
    /// the file lacks it and <paramref name="datasetRequired"/> is false), the truth label (the regex's first group when a
    /// pattern is given) and the line. <paramref name="source"/> names the file in errors.</summary>
    public static IEnumerable<(string Id, string Dataset, string Label, long Line)> ReadTruthRows(string file, string source, string idColumn, string truthColumn, string? pattern, string? datasetColumn, bool datasetRequired)
    {
        var regex = pattern is null ? null : TruthRegex(pattern);
        string[][] id = [[idColumn], [truthColumn]], dataset = datasetColumn is null ? [] : [[datasetColumn]];
        foreach (var (values, line) in CsvColumnFile.ReadRows(file, source, datasetRequired ? [.. id, .. dataset] : id, datasetRequired ? [] : dataset))
        {
            var label = values[1];

            // A blank value stays blank (the caller decides what an unknown entity means); any other value the pattern
            // does not match, or matches with an empty group, is an error: falling back to the whole value, or giving
            // every such record the label "", would score a wrong answer without a word.
            if (regex is not null && label.Length > 0)
            {
                var m = regex.Match(label);
                if (!m.Success || m.Groups[1].Length == 0)
                {
                    throw new DataException($"{source} line {line}: the truth value {(m.Success ? "matches the truth pattern with an empty group" : "does not match the truth pattern")}; fix the pattern or the value.");
                }

                label = m.Groups[1].Value;
            }

            yield return (values[0], datasetColumn is null ? "" : values[2], label, line);
        }
    }

    /// <summary>What is wrong with a truth pattern, or null when it is a valid regex with exactly one capture group (its
    /// value is the entity label).</summary>
    public static string? TruthPatternProblem(string pattern)
    {
        try
        {
            var groups = new Regex(pattern, RegexOptions.CultureInvariant).GetGroupNumbers().Length - 1;
            return groups == 1 ? null : $"must have exactly one capture group (the entity label); it has {groups}.";
        }
        catch (ArgumentException ex)
        {
            return $"is not a valid regular expression: {ex.Message}";
        }
    }

    private static Regex TruthRegex(string pattern) =>
        TruthPatternProblem(pattern) is { } problem
            ? throw new SettingsException("truth_pattern", problem)
            : new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Adds one record's truth label; the same record with another label fails naming the line, never a value.</summary>
    public static void AddTruth<TRecord>(Dictionary<TRecord, string> truth, TRecord record, string label, string source, long line)
        where TRecord : notnull
    {
        if (!truth.TryAdd(record, label) && truth[record] != label)
        {
            throw new DataException($"{source} line {line}: a record given a truth label on an earlier line is given another one here.");
        }
    }
}
