using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataFirst.Core.Blocking;
using DataFirst.Core.Ingest;
using DataFirst.Core.Prediction;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Cli.Commands;

/// <summary>`datafirst link`: standardise, train (or reuse a model), predict, cluster; write model, predictions, clusters.</summary>
internal static class LinkCommand
{
    public static Command Create()
    {
        var settingsOpt = new Option<string>("--settings") { Description = "Linkage settings JSON (see docs/settings.md).", Required = true };
        var inputs = new Option<string[]>("--input") { Description = "Input CSV (repeat for several datasets; the file name is the source dataset unless the CSV has the source dataset column).", Required = true, AllowMultipleArgumentsPerToken = false };
        var outDir = new Option<string>("--out") { Description = "Output folder for model.json, predictions.csv, clusters.csv.", Required = true };
        var modelOpt = new Option<string?>("--model") { Description = "Score with this saved model instead of training; --settings must then be the settings it was trained with, except match_threshold." };
        var command = new Command("link", "Deduplicate/link people in CSV inputs with a Fellegi-Sunter model trained by EM.")
        {
            settingsOpt, inputs, outDir, modelOpt,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var settingsPath = CliPaths.RequireExistingFile(parse.GetValue(settingsOpt)!, "--settings");
            var files = parse.GetValue(inputs)!.Select(f => CliPaths.RequireExistingFile(f, "--input")).ToList();
            var folder = CliPaths.EnsureWritableDirectory(parse.GetValue(outDir)!, "--out");
            var modelPath = parse.GetValue(modelOpt) is { } mp ? CliPaths.RequireExistingFile(mp, "--model") : null;
            Run(settingsPath, files, folder, modelPath, output, error);
            return Task.FromResult(CliApp.ExitOk);
        });
        return command;
    }

    private static void Run(string settingsPath, List<string> files, string folder, string? modelPath, TextWriter output, TextWriter error)
    {
        var total = Stopwatch.StartNew();
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        var settings = LinkageSettings.Load(settingsPath);
        LinkageModel? model = null;
        if (modelPath is not null)
        {
            model = LinkageModel.Load(modelPath);
            var given = settings;
            settings = model.Settings with { MatchThreshold = settings.MatchThreshold };
            if (settings.FirstDifferenceFrom(given) is { } differs)
            {
                // Scoring uses the model's own settings (its m and u belong to its comparisons and levels): a --settings
                // that says otherwise would be ignored without a word.
                throw new CliUsageException($"--settings differs from the settings --model was trained with at {differs}; with --model only match_threshold may change. Give the model's settings (its \"settings\" section), or leave out --model to train with these.");
            }
        }

        var sw = Stopwatch.StartNew();
        var records = ReadInputs(settings, files);
        stages["ingest"] = sw.Elapsed.TotalSeconds;
        var report = records.Report!;
        output.WriteLine($"ingest: {report.Records} records ({report.DatasetSummary()})");
        foreach (var c in report.Columns)
        {
            output.WriteLine($"  column {c.Column} <- {c.Source} ({c.Standardise}): {c.Nulls} null, {c.InvalidNulled} invalid nulled, {c.Distinct} distinct");
        }

        sw.Restart();
        var analysis = BlockingAnalysis.Analyse(records, settings);
        stages["blocking_analysis"] = sw.Elapsed.TotalSeconds;
        output.WriteLine($"blocking: {analysis.TotalComparisons} comparisons");
        foreach (var r in analysis.Rules)
        {
            output.WriteLine($"  rule {r.RuleIndex} ({string.Join(" = ", r.Columns)}): {r.Comparisons} comparisons, {r.Blocks} blocks, largest [{string.Join(", ", r.LargestBlocks)}], {r.RecordsWithNullKey} records with a null key");
        }

        var run = InMemoryLinker.Run(records, settings, model, DateTimeOffset.UtcNow);
        foreach (var (k, v) in run.StageSeconds)
        {
            stages[k] = v;
        }

        foreach (var s in run.Model.Provenance.Sessions)
        {
            var pairs = s.PairsGenerated > s.Pairs
                ? $"{s.Pairs} of its {s.PairsGenerated} pairs (a seeded sample: em.max_pairs {settings.Em.MaxPairs})"
                : $"{s.Pairs} pairs";
            output.WriteLine($"training rule {s.RuleIndex} ({string.Join(" = ", s.Rule)}): {pairs}, {s.Iterations} EM iterations, {(s.Converged ? "converged" : "NOT converged")}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lambda: {run.Model.Lambda:G4}"));
        foreach (var w in analysis.Warnings.Concat(run.Warnings).Distinct())
        {
            error.WriteLine($"warning: {w}");
        }

        sw.Restart();
        run.Model.Save(Path.Combine(folder, "model.json"));
        WritePredictions(Path.Combine(folder, "predictions.csv"), records, run.Edges, settings.MatchThreshold);
        WriteClusters(Path.Combine(folder, "clusters.csv"), records, run.Clusters.ClusterIds);
        stages["write"] = sw.Elapsed.TotalSeconds;
        output.WriteLine($"clusters: {run.Clusters.Metrics.Clusters} ({run.Clusters.Metrics.Singletons} singletons, largest {run.Clusters.Metrics.LargestCluster}, {run.Clusters.Metrics.Suspicious.Count} suspicious)");
        if (run.Clusters.Metrics.SizePenaltyBits.Count > 0)
        {
            output.WriteLine("size prior: " + string.Join(", ", run.Clusters.Metrics.SizePenaltyBits.OrderBy(kv => kv.Key).Take(3).Select(kv => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"+{kv.Value:0.0} bits to form a cluster of {kv.Key}"))) + (run.Clusters.Metrics.SizePenaltyBits.Count > 3 ? ", ..." : ""));
        }
        var summary = new Dictionary<string, object>
        {
            ["records"] = records.Count,
            ["comparisons"] = run.Comparisons,
            ["predictions"] = run.Edges.Count,
            ["clusters"] = run.Clusters.Metrics.Clusters,
            ["largest_cluster"] = run.Clusters.Metrics.LargestCluster,
            ["seconds"] = StageSeconds.ForJson(stages),
            ["total_seconds"] = Math.Round(total.Elapsed.TotalSeconds, 3),
            ["out"] = folder,
        };
        output.WriteLine(JsonSerializer.Serialize(summary));
    }

    /// <summary>Runs an engine verb: a settings mistake is a usage error (exit 2), a run that cannot complete a
    /// failure (exit 1); both one line.</summary>
    /// <summary>Standardises the input CSVs into one record set; each file's name (without extension) is its source
    /// dataset unless the CSV has the settings' source-dataset column. Row ids equal positions.</summary>
    internal static RecordSet ReadInputs(LinkageSettings settings, IEnumerable<string> files)
    {
        var builder = new RecordSetBuilder(settings);
        foreach (var f in files)
        {
            using var reader = new StreamReader(f);
            builder.AddCsv(reader, Path.GetFileNameWithoutExtension(f), Path.GetFileName(f));
        }

        return builder.Build();
    }

    internal static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static void WritePredictions(string path, RecordSet records, IReadOnlyList<Edge> edges, double threshold)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        w.WriteLine("unique_id_l,source_dataset_l,unique_id_r,source_dataset_r,match_weight,match_probability");
        foreach (var e in edges)
        {
            if (e.Probability < threshold)
            {
                continue;
            }

            // Row ids equal record indices in a freshly built record set.
            w.Write(Csv(records.UniqueId(e.RowA)));
            w.Write(',');
            w.Write(Csv(records.SourceDataset(e.RowA)));
            w.Write(',');
            w.Write(Csv(records.UniqueId(e.RowB)));
            w.Write(',');
            w.Write(Csv(records.SourceDataset(e.RowB)));
            w.Write(',');
            w.Write(e.Weight.ToString("0.####", CultureInfo.InvariantCulture));
            w.Write(',');
            w.WriteLine(e.Probability.ToString("0.######", CultureInfo.InvariantCulture));
        }
    }

    private static void WriteClusters(string path, RecordSet records, int[] clusterIds)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        w.WriteLine("unique_id,source_dataset,cluster_id");
        for (var i = 0; i < records.Count; i++)
        {
            w.Write(Csv(records.UniqueId(i)));
            w.Write(',');
            w.Write(Csv(records.SourceDataset(i)));
            w.Write(',');
            w.WriteLine(clusterIds[i].ToString(CultureInfo.InvariantCulture));
        }
    }
}
