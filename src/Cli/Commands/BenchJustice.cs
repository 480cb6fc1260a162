using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataFirst.Core.Clustering;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Ingest;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Prediction;
using DataFirst.Core.Settings;
using DataFirst.Core.Synthetic;
using DataFirst.Core.Training;

namespace DataFirst.Cli.Commands;

/// <summary>`datafirst bench --justice`: generate justice extracts, map them as the pipeline's ingest does, link them
/// in memory with the justice settings and score the person clusters against the generator's truth.</summary>
internal static class BenchJustice
{
    public static async Task RunAsync(int people, int seed, string? settingsPath, TextWriter output, CancellationToken cancellationToken)
    {
        var loadBefore = BenchCommand.LoadAverage();
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        var folder = Path.Combine(Path.GetTempPath(), $"datafirst-bench-justice-{Guid.NewGuid():N}");
        try
        {
            // Read before generating: a settings mistake is reported at once.
            var settings = settingsPath is null ? LinkageSettings.Parse(PipelineSettings.BuiltInJson()) : LinkageSettings.Load(settingsPath);
            var sw = Stopwatch.StartNew();
            var options = new GeneratorOptions { People = people, Seed = seed, Datasets = ExtractGenerator.PersonLevelDatasets };
            var summary = await new ExtractGenerator().GenerateAsync(options, folder, cancellationToken).ConfigureAwait(false);
            stages["generate"] = sw.Elapsed.TotalSeconds;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated {summary.TotalRows} rows for {summary.People} people in {stages["generate"]:0.00}s"));

            var total = Stopwatch.StartNew();
            sw.Restart();
            var builder = new RecordSetBuilder(settings);
            var perDataset = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var dataset in ExtractGenerator.PersonLevelDatasets)
            {
                var rows = ReadExtract(Path.Combine(folder, ExtractGenerator.FileName(dataset)), dataset);
                perDataset[dataset] = rows.Count;
                builder.AddRows(ExtractColumnMapping.CanonicalColumns.ToList(), rows, dataset);
            }

            var set = builder.Build();
            stages["ingest"] = sw.Elapsed.TotalSeconds;
            var (_, _, edges, scores, clusters) = BenchCommand.RunEngineStages(set, settings, stages);
            var engineSeconds = total.Elapsed.TotalSeconds;

            var truth = ReadTruth(Path.Combine(folder, ExtractGenerator.TruthPersonsPath));
            var actual = new List<string>(set.Count);
            for (var i = 0; i < set.Count; i++)
            {
                if (!truth.TryGetValue((set.SourceDataset(i), set.UniqueId(i)), out var person))
                {
                    throw new InvalidOperationException($"truth/persons.csv has no line for dataset {set.SourceDataset(i)} row id {set.UniqueId(i)}.");
                }

                actual.Add(person);
            }

            // Direct links (edges at the threshold) against the truth, to tell false links from chaining by clustering.
            long edgeTrue = 0, edgeCount = 0;
            foreach (var e in edges)
            {
                if (e.Probability >= settings.MatchThreshold)
                {
                    edgeCount++;
                    edgeTrue += actual[e.RowA] == actual[e.RowB] ? 1 : 0;
                }
            }

            var edgePrecision = edgeCount == 0 ? 1.0 : (double)edgeTrue / edgeCount;
            var quality = LinkageMetrics.Compare(clusters.ClusterIds.Select(x => x.ToString(CultureInfo.InvariantCulture)).ToList(), actual);
            var comparisons = scores.Sum(s => s.Comparisons);
            var cores = Environment.ProcessorCount;
            var perCore = comparisons / stages["predict"] / cores;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            var loadAfter = BenchCommand.LoadAverage();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"records {set.Count} ({string.Join(", ", perDataset.Select(kv => $"{kv.Key} {kv.Value}"))}), comparisons {comparisons}, edges {edges.Count}, clusters {clusters.Metrics.Clusters} (true people {actual.Distinct(StringComparer.Ordinal).Count()})"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"person linkage vs truth/persons.csv at threshold {settings.MatchThreshold}: precision {quality.Precision:0.0000}, recall {quality.Recall:0.0000}, F1 {quality.F1:0.0000} (pairwise); B-cubed F1 {quality.BCubedF1:0.0000}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"direct links: {edgeCount} at the threshold, precision {edgePrecision:0.0000}; largest cluster {clusters.Metrics.LargestCluster}, suspicious clusters {clusters.Metrics.Suspicious.Count}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scoring stage end to end: {perCore / 1e6:0.00} M comparisons/s per core ({cores} cores)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stages: {string.Join(", ", stages.Select(kv => $"{kv.Key} {kv.Value:0.000}s"))}; ingest+train+predict+cluster {engineSeconds:0.00}s"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak memory {peak / 1048576.0:0} MiB; load average (1/5/15 min) before {Describe(loadBefore)}, after {Describe(loadAfter)} on {cores} cores"));
            output.WriteLine(JsonSerializer.Serialize(new
            {
                mode = "justice",
                people,
                seed,
                records = set.Count,
                records_per_dataset = perDataset,
                comparisons,
                edges = edges.Count,
                clusters = clusters.Metrics.Clusters,
                threshold = settings.MatchThreshold,
                precision = Math.Round(quality.Precision, 5),
                recall = Math.Round(quality.Recall, 5),
                f1 = Math.Round(quality.F1, 5),
                bcubed_f1 = Math.Round(quality.BCubedF1, 5),
                link_precision = Math.Round(edgePrecision, 5),
                largest_cluster = clusters.Metrics.LargestCluster,
                cores,
                seconds = StageSeconds.ForJson(stages),
                engine_seconds = Math.Round(engineSeconds, 3),
                scoring_comparisons_per_second_per_core = Math.Round(perCore),
                peak_memory_mib = Math.Round(peak / 1048576.0),
                load_average_before = loadBefore,
                load_average_after = loadAfter,
            }));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Canonical rows of one generated extract, mapped with the pipeline's <see cref="ExtractColumnMapping"/>.</summary>
    private static List<string?[]> ReadExtract(string path, string dataset)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        var csv = new CsvReader(reader, ExtractGenerator.FileName(dataset), trimUnquoted: true);
        var header = csv.ReadRow()?.Select(h => h.Trim()).ToArray()
            ?? throw new InvalidOperationException($"generated extract {ExtractGenerator.FileName(dataset)} has no header row.");
        var mapping = ExtractColumnMapping.Create(PipelineProfiles.Catalog.Get(dataset), header);
        if (mapping.MissingColumns.Count > 0)
        {
            throw new InvalidOperationException($"generated extract {ExtractGenerator.FileName(dataset)} lacks column(s) {string.Join(", ", mapping.MissingColumns)}.");
        }

        var rows = new List<string?[]>();
        while (csv.ReadRow() is { } row)
        {
            if (row.Length == header.Length)
            {
                rows.Add(mapping.ToCanonical(row));
            }
        }

        return rows;
    }

    private static Dictionary<(string Dataset, string RowId), string> ReadTruth(string path) =>
        CsvColumns.Read(path, "truth/persons.csv", ["dataset"], ["row_id"], ["person_id"]).ToDictionary(x => (x.Values[0], x.Values[1]), x => x.Values[2]);

    private static string Describe(double[]? load) =>
        load is null ? "n/a" : string.Join("/", load.Select(x => x.ToString("0.00", CultureInfo.InvariantCulture)));
}
