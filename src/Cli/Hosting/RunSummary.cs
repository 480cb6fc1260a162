using System.Globalization;
using System.Text.Json;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Workflow;

namespace DataFirst.Cli.Hosting;

/// <summary>The short summary printed at the end of a run, with a JSON line last.</summary>
internal static class RunSummary
{
    public static void Write(TextWriter output, LinkageRunResult r, WorkflowExecutionStats stats, PipelineHost host)
    {
        var ci = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine(string.Create(ci, $"records in          {r.RecordsIn,12:N0}   (rejected to quarantine: {r.RecordsRejected:N0})"));
        var ids = r.PersonIds;
        output.WriteLine(string.Create(ci, $"estimated people    {r.EstimatedPeople,12:N0}   (ids kept from the previous run: {ids.Kept:N0}, new: {ids.New:N0}, new after a split: {ids.SplitClusters:N0}, new after a merge: {ids.MergedClusters:N0})"));
        if (ids.RecordsChanged > 0 || ids.RecordsUnchecked > 0)
        {
            output.WriteLine(string.Create(ci, $"  records under a row id of the previous run: {ids.RecordsChanged:N0} hold another record (no id carried over), {ids.RecordsUnchecked:N0} carried over unchecked"));
        }

        output.WriteLine(string.Create(ci, $"comparisons scored  {r.Comparisons,12:N0}"));
        foreach (var b in r.Blocking ?? [])
        {
            var sampled = b.PairSampleRate < 1 ? string.Create(ci, $", EM counts a sample of {b.PairSampleRate:P2}") : string.Empty;
            output.WriteLine(string.Create(ci, $"  {b.Rule,-18}{b.Comparisons,12:N0}   pairs of {b.Columns}, largest block {b.LargestBlock:N0}{sampled}"));
        }

        output.WriteLine(string.Create(ci, $"case links          {r.CaseLinks,12:N0}"));
        output.WriteLine(string.Create(ci, $"EM                  {r.EmIterations,12} iterations, {(r.EmConverged ? "converged" : "NOT converged")}"));
        output.WriteLine("time per stage      " + string.Join(", ", r.Stages.Select(s => string.Create(ci, $"{s.Stage} {s.Seconds:F1}s"))));
        double Rate(string stage, long count) => r.Stages.FirstOrDefault(s => s.Stage == stage) is { Seconds: > 0 } s ? count / s.Seconds : 0;
        output.WriteLine(string.Create(ci, $"throughput          ingest {Rate("ingest", r.RecordsIn):N0} records/s, scoring {Rate("score", r.Comparisons):N0} comparisons/s (whole stage, all activities)"));
        foreach (var w in r.Warnings)
        {
            output.WriteLine($"warning: {w}");
        }

        output.WriteLine($"share published to  {r.PublishedTo}");
        output.WriteLine($"catalogue           {r.PublishedTo.TrimEnd('/')}/catalogue.json");
        output.WriteLine(JsonSerializer.Serialize(new
        {
            runId = r.RunId,
            share = r.Share,
            version = r.Version,
            recordsIn = r.RecordsIn,
            recordsRejected = r.RecordsRejected,
            estimatedPeople = r.EstimatedPeople,
            comparisons = r.Comparisons,
            blocking = (r.Blocking ?? []).ToDictionary(b => b.Rule, b => b.Comparisons),
            caseLinks = r.CaseLinks,
            personIds = new
            {
                kept = ids.Kept,
                newPeople = ids.New,
                splitClusters = ids.SplitClusters,
                mergedClusters = ids.MergedClusters,
                keptShare = Math.Round(ids.KeptShare, 4),
                recordsChanged = ids.RecordsChanged,
                recordsUnchecked = ids.RecordsUnchecked,
            },
            publishedTo = r.PublishedTo,
            activitiesReplayed = stats.Replayed,
            activitiesExecuted = stats.Executed,
            stages = r.Stages.ToDictionary(s => s.Stage, s => Math.Round(s.Seconds, 2)),
        }));
    }
}
