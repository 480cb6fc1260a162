using System.Text;
using DataFirst.Core.Prediction;
using DataFirst.Core.Training;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// Scores one partition's candidate pairs (one prediction rule; pairs an earlier rule found are
/// skipped) with the trained model and writes the pairs at or above the threshold as an edge blob.
/// </summary>
public sealed class ScorePartitionActivity(PipelineServices services)
{
    public const string Name = nameof(ScorePartitionActivity);

    public async Task<ScorePartitionResult> RunAsync(ScorePartitionInput input, CancellationToken cancellationToken)
    {
        var model = LinkageModel.FromJson(Encoding.UTF8.GetString(await services.ReadBytesAsync(input.ModelBlob, cancellationToken).ConfigureAwait(false)));
        var shard = await RecordBlobs.ReadAllAsync(services, input.ShardBlobs, cancellationToken, renumberRows: false, keepIds: false).ConfigureAwait(false); // edges carry row ids

        // Only the shard's values' frequencies: the run's tables hold every value of every record, and every partition reads them.
        TermFrequencyTables tf;
        await using (var stream = await services.OpenReadAsync(input.TermFrequenciesBlob, cancellationToken).ConfigureAwait(false))
        {
            tf = TermFrequencyTables.ReadFor(stream, shard);
        }

        var edgesBlob = PipelineServices.Working(input.Run, $"edges/{input.Rule}/{input.Partition:D4}.edges");
        ScoreResult? result = null;
        await services.WriteAsync(edgesBlob, s => Task.Run(() => result = PartitionScorer.ScorePartition(shard, model, input.Rule.Index, tf, s), cancellationToken), cancellationToken).ConfigureAwait(false);
        return new ScorePartitionResult(edgesBlob, result!.Comparisons, result.Edges);
    }
}
