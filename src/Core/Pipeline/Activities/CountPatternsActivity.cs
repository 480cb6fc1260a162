using System.Text;
using DataFirst.Core.Training;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// Reduces one partition's candidate pairs (under one training rule) to a histogram of agreement
/// patterns: EM then needs only the summed histograms, whatever the number of pairs. A rule with more pairs than
/// em.max_pairs has a seeded sample of them counted (<see cref="PairSample"/>).
/// </summary>
public sealed class CountPatternsActivity(PipelineServices services)
{
    public const string Name = nameof(CountPatternsActivity);

    public async Task<CountPatternsResult> RunAsync(CountPatternsInput input, CancellationToken cancellationToken)
    {
        var settings = await PipelineSettings.LoadAsync(services, input.Run.SettingsBlob, cancellationToken).ConfigureAwait(false);
        var shard = await RecordBlobs.ReadAllAsync(services, input.ShardBlobs, cancellationToken, renumberRows: false).ConfigureAwait(false);
        var histogram = PatternCounter.CountPatterns(shard, settings, input.TrainingRule, PairSample.Of(input.PairSampleRate, settings.Em.Seed, input.TrainingRule));
        using var buffer = new MemoryStream();
        histogram.WriteTo(buffer);
        return new CountPatternsResult(input.TrainingRule, Encoding.UTF8.GetString(buffer.ToArray()), histogram.TotalPairs);
    }
}
