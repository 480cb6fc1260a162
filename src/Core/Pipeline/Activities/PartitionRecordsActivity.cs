using System.Globalization;
using DataFirst.Core.Blocking;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// The map/shuffle step: hash-partitions the run's records by one blocking rule's key, so every
/// pair of a block lies in one partition, and writes each partition as a shard blob. Reports the
/// rule's comparisons and largest block first, and refuses a rule whose blocks exceed the limit
/// (or skips them, as the settings say).
/// </summary>
public sealed class PartitionRecordsActivity(PipelineServices services)
{
    public const string Name = nameof(PartitionRecordsActivity);

    public async Task<PartitionRecordsResult> RunAsync(PartitionRecordsInput input, CancellationToken cancellationToken)
    {
        var settings = await PipelineSettings.LoadAsync(services, input.Run.SettingsBlob, cancellationToken).ConfigureAwait(false);
        var rules = input.Rule.Kind == RuleRef.Training ? settings.BlockingRulesForTraining : settings.BlockingRulesForPrediction;
        // Blocking needs only the rules' columns, of every record together; the shards need every column, and are cut
        // from one dataset's record set at a time. So the activity holds the key columns of all records (let go before
        // the shards are cut) and the whole of one dataset, never the whole of every dataset (5 M people: 8 M records).
        var (ruleAnalysis, warnings, partitions, total) = await AnalyseAndPartitionAsync(input, settings, rules, cancellationToken).ConfigureAwait(false);

        // A partition's shard is a part per dataset (its records of that dataset, with their run-wide row ids): the
        // scoring and counting activities read the parts of one partition together.
        var parts = partitions.Select(_ => new List<string>()).ToArray();
        var offset = 0;
        var dataset = 0;
        foreach (var blob in input.RecordBlobs.Where(b => b.Length > 0))
        {
            var records = await RecordBlobs.ReadAsync(services, blob, cancellationToken).ConfigureAwait(false);
            for (var p = 0; p < partitions.Length; p++)
            {
                if (partitions[p].Length < 2)
                {
                    continue; // no pairs
                }

                var local = Within(partitions[p], offset, records.Count);
                if (local.Length == 0)
                {
                    continue; // none of this dataset's records
                }

                var shard = PipelineServices.Working(input.Run, string.Create(CultureInfo.InvariantCulture, $"shards/{input.Rule}/{p:D4}-{dataset:D2}.dfrs"));
                await RecordBlobs.WriteAsync(services, shard, records.Select(local, firstRow: offset), cancellationToken).ConfigureAwait(false);
                parts[p].Add(shard);
            }

            offset += records.Count;
            dataset++;
        }

        if (offset != total)
        {
            throw new InvalidOperationException($"the record blobs held {total} records when blocked and {offset} when cut into shards.");
        }

        // The session counts the pairs of blocks within max_block_size (larger ones are refused above or skipped).
        var rate = input.Rule.Kind == RuleRef.Training ? PairSample.RateFor(ruleAnalysis.ComparisonsWithinLimit, settings.Em.MaxPairs) : 1;
        var shards = parts.Where(l => l.Count > 0).Select(l => (IReadOnlyList<string>)l).ToList();
        return new PartitionRecordsResult(input.Rule, [], ruleAnalysis.Comparisons, ruleAnalysis.LargestBlocks.FirstOrDefault(), warnings, rate, shards);
    }

    private async Task<(RuleAnalysis Rule, List<string> Warnings, int[][] Partitions, int Records)> AnalyseAndPartitionAsync(
        PartitionRecordsInput input, LinkageSettings settings, IReadOnlyList<IReadOnlyList<string>> rules, CancellationToken cancellationToken)
    {
        var training = input.Rule.Kind == RuleRef.Training;
        var analysed = training ? rules : rules.Take(input.Rule.Index + 1).ToList();
        var keys = await RecordBlobs.ReadAllAsync(services, input.RecordBlobs, cancellationToken, keep: analysed.SelectMany(r => r).Distinct(StringComparer.Ordinal).ToList(), keepIds: false).ConfigureAwait(false);

        // A prediction pair an earlier rule already found is not counted again, so that analysis runs over the rules up
        // to this one; a training rule is a session of its own (all its pairs are counted), so it is analysed alone.
        var analysis = training
            ? BlockingAnalysis.AnalyseTrainingRule(keys, settings, input.Rule.Index)
            : BlockingAnalysis.Analyse(keys, settings, analysed);
        var ruleAnalysis = analysis.Rules[^1];
        var rule = rules[input.Rule.Index];
        if (ruleAnalysis.OversizedBlocks > 0 && settings.OversizedBlocks == OversizedBlockAction.Error)
        {
            throw new BlockingException(string.Create(CultureInfo.InvariantCulture,
                $"blocking rule {input.Rule} ({string.Join(" & ", rule)}) has {ruleAnalysis.OversizedBlocks} block(s) above max_block_size {settings.MaxBlockSize} (largest {ruleAnalysis.LargestBlocks.FirstOrDefault()} records). Make the rule stricter, raise max_block_size, or set oversized_blocks to skip."));
        }

        var warnings = analysis.Warnings.Select(w => $"{input.Rule}: {w}").ToList();
        return (ruleAnalysis, warnings, BlockingPartitioner.Partition(keys, rule, input.Partitions), keys.Count);
    }

    /// <summary>The positions of <paramref name="sorted"/> (ascending record positions of the whole run) that fall in
    /// [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>), as positions from there.</summary>
    private static int[] Within(int[] sorted, int first, int count)
    {
        var from = Array.BinarySearch(sorted, first) is var a && a >= 0 ? a : ~a;
        var to = Array.BinarySearch(sorted, first + count) is var b && b >= 0 ? b : ~b;
        var local = new int[to - from];
        for (var i = 0; i < local.Length; i++)
        {
            local[i] = sorted[from + i] - first;
        }

        return local;
    }
}
