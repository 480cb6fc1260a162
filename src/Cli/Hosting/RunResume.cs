using System.Globalization;
using System.Text.Json;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Workflow;

namespace DataFirst.Cli.Hosting;

/// <summary>
/// `datafirst run --instance-id` on a run that exists: the runner resumes it with the request it started with (its
/// history was made from that request), so options given now that say something else would be ignored: an extract
/// added or left out, another settings file, another share. Those are refused before anything is uploaded, naming
/// each option that differs. An option left out is not a difference (the run's own value is used); the extracts are
/// always given, so they must be the run's own, as files of the same names (their content may have been fixed: that
/// is how a rejected extract is corrected and the run resumed).
/// </summary>
internal static class RunResume
{
    /// <summary>What was given on the command line: null for an option left out.</summary>
    public sealed record Given(
        string? Share,
        IReadOnlyList<string> Inputs,
        string? Settings,
        string? ShareSpec,
        string? Model,
        string? Version,
        string? RunDate,
        int? Partitions,
        bool KeepWorking);

    /// <summary>The request the run started with, if <paramref name="state"/> holds one.</summary>
    public static LinkageRunRequest? Started(WorkflowInstanceState? state)
    {
        if (state is not { Name: LinkageRunOrchestrator.Name, Input: { } input })
        {
            return null;
        }

        try
        {
            return input.Deserialize<LinkageRunRequest>(WorkflowJson.Options);
        }
        catch (JsonException)
        {
            return null; // not a request this version can read: the runner reports it when it replays
        }
    }

    /// <summary>Each option given that differs from the run's, as "--option (the run: X; now: Y)".</summary>
    public static IReadOnlyList<string> Differences(LinkageRunRequest started, Given given)
    {
        var share = started.Share; // files are compared by name: another share is a difference of its own
        var differences = new List<string>();
        void Differ(string option, string then, string now) => differences.Add($"{option} (the run: {then}; now: {now})");

        if (given.Share is not null && given.Share != started.Share)
        {
            Differ("--share", started.Share, given.Share);
        }

        var then = started.Extracts.Select(e => e.Blob).Order(StringComparer.Ordinal).ToList();
        var now = given.Inputs.Select(f => RunExecution.ExtractBlob(share, f)).Order(StringComparer.Ordinal).ToList();
        if (!then.SequenceEqual(now, StringComparer.Ordinal))
        {
            Differ("--input", FileNames(then), FileNames(now));
        }

        void File(string option, string? file, string? blob)
        {
            if (file is not null && RunExecution.ExtractBlob(share, file) is var nowBlob && nowBlob != blob)
            {
                Differ(option, blob is null ? "none" : FileNames([blob]), Path.GetFileName(file));
            }
        }

        File("--settings", given.Settings, started.Settings);
        File("--share-spec", given.ShareSpec, started.ShareSpec);
        File("--model", given.Model, started.Model);
        if (given.Version is not null && given.Version != started.Version)
        {
            Differ("--version-name", started.Version ?? "the run date", given.Version);
        }

        if (given.RunDate is not null
            && DateOnly.TryParseExact(given.RunDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            && date != started.RunDate)
        {
            Differ("--run-date", started.RunDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "the day it started", given.RunDate);
        }

        if (given.Partitions is { } partitions && partitions != started.Partitions)
        {
            Differ("--partitions", started.Partitions.ToString(CultureInfo.InvariantCulture), partitions.ToString(CultureInfo.InvariantCulture));
        }

        if (given.KeepWorking && !started.KeepWorking)
        {
            Differ("--keep-working", "not given", "given");
        }

        return differences;
    }

    /// <summary>The one-line refusal for <paramref name="differences"/>.</summary>
    public static string Refusal(string instanceId, IReadOnlyList<string> differences) =>
        $"--instance-id {instanceId}: that run exists, and a resume runs it with the options it started with; these differ: {string.Join("; ", differences)}. "
        + "Give the run's own options to resume it, or leave out --instance-id to start a new run.";

    private static string FileNames(IEnumerable<string> blobs) =>
        string.Join(", ", blobs.Select(b => b[(b.LastIndexOf('/') + 1)..]));
}
