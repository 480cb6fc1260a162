using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DataFirst.Core.Ingest;
using DataFirst.Core.Prediction;
using DataFirst.Core.Training;

namespace DataFirst.Cli.Commands;

/// <summary>
/// `datafirst explain`: why a pair was or was not linked — whether a prediction rule compares it, and the waterfall
/// of its match weight (prior, each comparison's level, m, u, Bayes factor and TF adjustment). Prints levels and
/// weights only, never a field value or the ids given.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var modelOpt = new Option<string>("--model") { Description = "model.json written by `datafirst link`.", Required = true };
        var inputs = new Option<string[]>("--input") { Description = "The input CSVs the model was run on (repeat for several); term frequencies come from them, as in `link`.", Required = true, AllowMultipleArgumentsPerToken = false };
        var pairOpt = new Option<string[]>("--pair") { Description = "The two records' unique ids: --pair ID_L ID_R.", Required = true, Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
        var datasetsOpt = new Option<string[]?>("--datasets") { Description = "Their source datasets, when an id occurs in several: --datasets DATASET_L DATASET_R.", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
        var command = new Command("explain", "Explain one pair: which blocking rule compares it and each comparison's contribution to its match weight.")
        {
            modelOpt, inputs, pairOpt, datasetsOpt,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var modelPath = CliPaths.RequireExistingFile(parse.GetValue(modelOpt)!, "--model");
            var files = parse.GetValue(inputs)!.Select(f => CliPaths.RequireExistingFile(f, "--input")).ToList();
            var pair = parse.GetValue(pairOpt)!;
            var datasets = parse.GetValue(datasetsOpt) is { Length: 2 } d ? d : null;
            Run(modelPath, files, pair, datasets, parse.InvocationConfiguration.Output);
            return Task.FromResult(CliApp.ExitOk);
        });
        return command;
    }

    private static void Run(string modelPath, List<string> files, string[] pair, string[]? datasets, TextWriter output)
    {
        var model = LinkageModel.Load(modelPath);
        var records = LinkCommand.ReadInputs(model.Settings, files);
        var a = Find(records, pair[0], datasets?[0], "first");
        var b = Find(records, pair[1], datasets?[1], "second");
        if (a == b)
        {
            throw new CliUsageException("--pair: both ids name the same record; give two different records.");
        }

        var e = PairExplainer.Explain(records, model, a, b);
        var w = e.Waterfall;
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"pair: input row {a + 1} ({records.SourceDataset(a)}) and input row {b + 1} ({records.SourceDataset(b)}) of {records.Count}"));
        output.WriteLine($"blocking: {e.Blocking.Reason}");
        output.WriteLine(string.Create(inv, $"  {"prior (lambda " + model.Lambda.ToString("G4", inv) + ")",-46} {"",34} {w.PriorWeight,8:+0.00;-0.00}"));
        foreach (var s in w.Steps)
        {
            var tf = s.TfAdjustment == 0 ? "" : s.TfAdjustment.ToString("+0.00;-0.00", inv) + " tf";
            output.WriteLine(string.Create(inv, $"  {s.Comparison,-16} {s.LevelLabel,-29} m {s.M,-9:0.######} u {s.U,-9:0.######} {tf,10} {s.BayesFactorWeight + s.TfAdjustment,8:+0.00;-0.00}"));
        }

        var verdict = !e.Blocking.Compared
            ? "never compared, so never linked"
            : e.AboveThreshold ? "at or above" : "below";
        var threshold = e.Blocking.Compared ? string.Create(inv, $" the match threshold {e.MatchThreshold}") : "";
        var clustering = e.Blocking.Compared && e.AboveThreshold && model.Settings.Clustering != "connected_components"
            ? $" (clustering '{model.Settings.Clustering}' may still keep the records apart)"
            : "";
        output.WriteLine(string.Create(inv, $"match weight {w.MatchWeight:+0.00;-0.00} bits, probability {w.Probability:0.######}: {verdict}{threshold}{clustering}"));

        var json = new Dictionary<string, object?>
        {
            ["compared"] = e.Blocking.Compared,
            ["blocking_rule"] = e.Blocking.RuleIndex,
            ["block_size"] = e.Blocking.BlockSize,
            ["prior_weight"] = Math.Round(w.PriorWeight, 4),
            ["steps"] = w.Steps.Select(s => new Dictionary<string, object>
            {
                ["comparison"] = s.Comparison,
                ["level"] = s.Level,
                ["label"] = s.LevelLabel,
                ["m"] = s.M,
                ["u"] = s.U,
                ["bayes_factor_weight"] = Math.Round(s.BayesFactorWeight, 4),
                ["tf_adjustment"] = Math.Round(s.TfAdjustment, 4),
            }).ToList(),
            ["match_weight"] = Math.Round(w.MatchWeight, 4),
            ["match_probability"] = Math.Round(w.Probability, 6),
            ["above_threshold"] = e.AboveThreshold,
        };
        output.WriteLine(JsonSerializer.Serialize(json));
    }

    /// <summary>The record with this unique id (and dataset, when given). Messages say which of the two ids is
    /// wrong, never the id itself: ids can be identifiers.</summary>
    private static int Find(RecordSet records, string id, string? dataset, string which)
    {
        var found = new List<int>();
        for (var i = 0; i < records.Count; i++)
        {
            if (string.Equals(records.UniqueId(i), id, StringComparison.Ordinal) &&
                (dataset is null || string.Equals(records.SourceDataset(i), dataset, StringComparison.Ordinal)))
            {
                found.Add(i);
            }
        }

        return found.Count switch
        {
            1 => found[0],
            0 when dataset is not null && !records.SourceNames.Contains(dataset, StringComparer.Ordinal) =>
                throw new CliUsageException($"--datasets: the {which} dataset is not among the inputs' datasets ({IngestReport.ListDatasets(records.SourceNames)})."),
            0 => throw new CliUsageException($"--pair: the {which} id is not a unique id of {(dataset is null ? "the inputs" : "its dataset")} ({records.Count} records read)."),
            _ => throw new CliUsageException($"--pair: the {which} id is in {found.Count} datasets ({string.Join(", ", found.Select(records.SourceDataset).Distinct())}); say which with --datasets DATASET_L DATASET_R."),
        };
    }
}
