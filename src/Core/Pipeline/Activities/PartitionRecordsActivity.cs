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
        var rule = rules[input.Rule.Index];
        var records = await RecordBlobs.ReadAllAsync(services, input.RecordBlobs, cancellationToken).ConfigureAwait(false);

        // A prediction pair an earlier rule already found is not counted again, so that analysis runs over the rules up
        // to this one; a training rule is a session of its own (all its pairs are counted), so it is analysed alone.
        var training = input.Rule.Kind == RuleRef.Training;
        var analysis = training
            ? BlockingAnalysis.AnalyseTrainingRule(records, settings, input.Rule.Index)
            : BlockingAnalysis.Analyse(records, settings, rules.Take(input.Rule.Index + 1).ToList());
        var ruleAnalysis = analysis.Rules[^1];
        var warnings = analysis.Warnings.Select(w => $"{input.Rule}: {w}").ToList();
        if (ruleAnalysis.OversizedBlocks > 0 && settings.OversizedBlocks == OversizedBlockAction.Error)
        {
            throw new BlockingException(string.Create(CultureInfo.InvariantCulture,
                $"blocking rule {input.Rule} ({string.Join(" & ", rule)}) has {ruleAnalysis.OversizedBlocks} block(s) above max_block_size {settings.MaxBlockSize} (largest {ruleAnalysis.LargestBlocks.FirstOrDefault()} records). Make the rule stricter, raise max_block_size, or set oversized_blocks to skip."));
        }

        var shards = new List<string>();
        var partitions = BlockingPartitioner.Partition(records, rule, input.Partitions);
        for (var p = 0; p < partitions.Length; p++)
        {
            if (partitions[p].Length < 2)
            {
                continue; // no pairs
            }

            var shard = PipelineServices.Working(input.Run, string.Create(CultureInfo.InvariantCulture, $"shards/{input.Rule}/{p:D4}.dfrs"));
            await RecordBlobs.WriteAsync(services, shard, records.Select(partitions[p]), cancellationToken).ConfigureAwait(false);
            shards.Add(shard);
        }

        // The session counts the pairs of blocks within max_block_size (larger ones are refused above or skipped).
        var rate = training ? PairSample.RateFor(ruleAnalysis.ComparisonsWithinLimit, settings.Em.MaxPairs) : 1;
        return new PartitionRecordsResult(input.Rule, shards, ruleAnalysis.Comparisons, ruleAnalysis.LargestBlocks.FirstOrDefault(), warnings, rate);
    }
}
