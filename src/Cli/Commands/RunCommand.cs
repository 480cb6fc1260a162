using System.CommandLine;
using DataFirst.Cli.Hosting;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Workflow;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataFirst.Cli.Commands;

/// <summary>`datafirst run`: one linkage run over local extract files, to its end, with progress.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var inputs = new Option<string[]>("--input") { Description = "An extract CSV; the file name is the dataset (magistrates.csv → magistrates). Repeat for each.", Required = true, AllowMultipleArgumentsPerToken = true };
        var settings = new Option<string?>("--settings") { Description = "Linkage settings JSON (default: the built-in justice settings)." };
        var model = new Option<string?>("--model") { Description = "A saved model.json to score with (no training), e.g. from an earlier run's models/ container or `datafirst link`." };
        var shareSpec = new Option<string?>("--share-spec") { Description = "Share spec JSON: datasets and variables the project receives (default: all non-identifying variables)." };
        var share = new Option<string>("--share") { Description = "Share name.", DefaultValueFactory = _ => "local" };
        var version = new Option<string?>("--version-name") { Description = "Share version (default: the run date)." };
        var instance = new Option<string?>("--instance-id") { Description = "Run id; an unfinished run with this id is resumed from its history." };
        var partitions = new Option<int>("--partitions") { Description = "Partitions per blocking rule (the unit of fan-out).", DefaultValueFactory = _ => 8 };
        var runDate = new Option<string?>("--run-date") { Description = "The date the run is as of (yyyy-MM-dd)." };
        var keepWorking = new Option<bool>("--keep-working") { Description = "Keep the run's intermediates (standardised records, clean extracts, shards, edges) in working/ after publishing; by default they are removed, since they hold personal data." };
        var storage = CommonOptions.Storage();
        var data = CommonOptions.Data();
        var parallel = CommonOptions.ParallelActivities();
        var command = new Command("run", "Run the whole pipeline once on extract files: ingest, link, pseudonymise, publish a share. Exit code 0 when the run completes.")
        {
            inputs, settings, model, shareSpec, share, version, instance, partitions, runDate, keepWorking, storage, data, parallel,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var files = parse.GetValue(inputs)!.Select(f => CliPaths.RequireExistingFile(f, "--input")).ToList();
            var settingsFile = parse.GetValue(settings) is { } s ? CliPaths.RequireExistingFile(s, "--settings") : null;
            var specFile = parse.GetValue(shareSpec) is { } sp ? CliPaths.RequireExistingFile(sp, "--share-spec") : null;
            var modelFile = parse.GetValue(model) is { } m ? CliPaths.RequireExistingFile(m, "--model") : null;
            if (settingsFile is not null && modelFile is not null)
            {
                RefuseSettingsOtherThanTheModels(settingsFile, modelFile);
            }

            var dataDir = CliPaths.EnsureWritableDirectory(parse.GetValue(data)!, "--data");
            using var host = await PipelineHost.OpenAsync(parse.GetValue(storage), dataDir, NullLoggerFactory.Instance, cancellationToken, parse.GetParallelActivities(parallel)).ConfigureAwait(false);
            var shareName = parse.GetValue(share)!;
            var id = parse.GetValue(instance);
            if (id is not null && RunResume.Started(await host.Runner.GetStatusAsync(id, cancellationToken).ConfigureAwait(false)) is { } started)
            {
                // A resume runs the request the run started with: refuse options that say otherwise, before uploading
                // anything over the run's extracts.
                var explicitShare = Given(parse, share) ? shareName : null;
                var differences = RunResume.Differences(started, new RunResume.Given(
                    explicitShare, files, settingsFile, specFile, modelFile, parse.GetValue(version), parse.GetValue(runDate),
                    Given(parse, partitions) ? parse.GetValue(partitions) : null, parse.GetValue(keepWorking)));
                if (differences.Count > 0)
                {
                    throw new CliUsageException(RunResume.Refusal(id, differences));
                }

                shareName = started.Share;
            }

            var request = await BuildRequestAsync(host, shareName, files, settingsFile, specFile, parse.GetValue(version), parse.GetValue(partitions), parse.GetValue(runDate), cancellationToken).ConfigureAwait(false);
            request = request with { KeepWorking = parse.GetValue(keepWorking) };
            if (modelFile is not null)
            {
                request = request with { Model = await RunExecution.UploadFileAsync(host, shareName, modelFile, "application/json", cancellationToken).ConfigureAwait(false) };
            }

            id ??= RunInstanceIds.ForManualRun(request.Share, DateTimeOffset.UtcNow);
            return await ExecuteAndReportAsync(host, request, id, output, parse.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>A run with a saved model scores with the model's own settings, match_threshold included: a --settings that
    /// says otherwise would be ignored without a word, so it is refused naming the first difference. (A file that is not
    /// valid settings or a valid model is a usage error too, reported by CliApp.)</summary>
    private static void RefuseSettingsOtherThanTheModels(string settingsFile, string modelFile)
    {
        var differs = Core.Training.LinkageModel.Load(modelFile).Settings.FirstDifferenceFrom(Core.Settings.LinkageSettings.Load(settingsFile));
        if (differs is not null)
        {
            throw new CliUsageException($"--settings differs from the settings --model was trained with at {differs}; a run with --model scores with the model's settings. Leave out --settings, or leave out --model to train with them.");
        }
    }

    /// <summary>Whether <paramref name="option"/> was on the command line (not its default).</summary>
    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    internal static async Task<LinkageRunRequest> BuildRequestAsync(PipelineHost host, string share, IReadOnlyList<string> files, string? settingsFile, string? specFile, string? version, int partitions, string? runDate, CancellationToken cancellationToken)
    {
        var extracts = await RunExecution.UploadExtractsAsync(host, share, files, cancellationToken).ConfigureAwait(false);
        var json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["share"] = share,
            ["version"] = version,
            ["extracts"] = extracts.Select(e => new { dataset = e.Dataset, blob = e.Blob }),
            ["settings"] = settingsFile is null ? null : await RunExecution.UploadFileAsync(host, share, settingsFile, "application/json", cancellationToken).ConfigureAwait(false),
            ["shareSpec"] = specFile is null ? null : await RunExecution.UploadFileAsync(host, share, specFile, "application/json", cancellationToken).ConfigureAwait(false),
            ["partitions"] = partitions,
            ["runDate"] = runDate,
        });
        try
        {
            return RunRequestParser.Parse(json);
        }
        catch (RunRequestException ex)
        {
            throw new CliUsageException(ex.JsonPath switch
            {
                "$.share" => $"--share: {ex.Message}",
                "$.version" => $"--version-name: {ex.Message}",
                "$.partitions" => $"--partitions: {ex.Message}",
                "$.runDate" => $"--run-date: {ex.Message}",
                _ => ex.Message,
            });
        }
    }

    internal static async Task<int> ExecuteAndReportAsync(PipelineHost host, LinkageRunRequest request, string id, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        output.WriteLine($"run {id}: {request.Extracts.Count} extract(s), storage {host.Storage.Mode}");
        WorkflowInstanceState state;
        WorkflowExecutionStats stats;
        try
        {
            (state, stats) = await RunExecution.RunWithProgressAsync(host, request, id, output, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C / SIGTERM: what is done stays done; say how to go on.
            error.WriteLine($"datafirst: run {id} interrupted; resume it with --instance-id {id}");
            throw;
        }

        if (state.Status != WorkflowStatus.Completed)
        {
            error.WriteLine($"datafirst: error: run {id} {state.Status.ToString().ToLowerInvariant()}: {state.Error}");
            error.WriteLine(stats.Replayed + stats.Executed == 0
                ? "datafirst: no step of the run completed: fix the cause and run the command again"
                : $"datafirst: resume it with --instance-id {id} once the cause is fixed (completed steps are not run again)");
            return CliApp.ExitFailure;
        }

        var result = System.Text.Json.JsonSerializer.Deserialize<LinkageRunResult>(state.Output!.Value.GetRawText(), WorkflowJson.Options)!;
        RunSummary.Write(output, result, stats, host);
        return CliApp.ExitOk;
    }
}
