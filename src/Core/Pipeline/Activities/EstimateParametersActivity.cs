using System.Text.Json;
using DataFirst.Core.Training;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// Term frequencies of the TF-adjusted columns over all the run's records; when training, also λ
/// (probability two random records match) from the deterministic rules and their assumed recall,
/// and u per comparison level by seeded random pair sampling.
/// </summary>
public sealed class EstimateParametersActivity(PipelineServices services)
{
    public const string Name = nameof(EstimateParametersActivity);

    public async Task<EstimateParametersResult> RunAsync(EstimateParametersInput input, CancellationToken cancellationToken)
    {
        var settings = await PipelineSettings.LoadAsync(services, input.Run.SettingsBlob, cancellationToken).ConfigureAwait(false);
        var records = await RecordBlobs.ReadAllAsync(services, input.RecordBlobs, cancellationToken, keepIds: false).ConfigureAwait(false); // no step here names a record
        var tf = TermFrequencyTables.Compute(records, settings);
        var tfBlob = PipelineServices.Working(input.Run, "model/term-frequencies.bin");
        await services.WriteAsync(tfBlob, s => Task.Run(() => tf.WriteTo(s), cancellationToken), cancellationToken).ConfigureAwait(false);
        if (!input.Train)
        {
            return new EstimateParametersResult(null, tfBlob, 0, 0);
        }

        var lambda = Estimation.EstimateProbabilityTwoRandomRecordsMatch(records, settings);
        var u = Estimation.EstimateUUsingRandomSampling(records, settings);
        var blob = PipelineServices.Working(input.Run, "model/parameters.json");
        var parameters = new EstimatedParameters(lambda, u, records.Count, RecordsPerDataset(records));
        await services.WriteAsync(blob, s => JsonSerializer.SerializeAsync(s, parameters, Workflow.WorkflowJson.Options, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new EstimateParametersResult(blob, tfBlob, lambda.Lambda, u.PairsSampled);
    }

    private static Dictionary<string, int> RecordsPerDataset(Ingest.RecordSet records) =>
        Enumerable.Range(0, records.Count).GroupBy(records.SourceDataset).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}

/// <summary>What training needs besides the pattern histograms.</summary>
public sealed record EstimatedParameters(LambdaEstimate Lambda, UEstimate U, long Records, IReadOnlyDictionary<string, int> RecordsPerDataset);
