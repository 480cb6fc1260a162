using DataFirst.Core.Pipeline;
using DataFirst.Core.Pipeline.Activities;
using Microsoft.Azure.Functions.Worker;

namespace DataFirst.Functions.Activities;

/// <summary>
/// One Durable activity function per Core activity, registered under the activity's own
/// <c>Name</c> so that Core's orchestrator calls them unchanged. Each delegates to Core: inputs and
/// results are small records (blob paths, counts, histograms), never the records themselves.
/// </summary>
public sealed class PipelineActivityFunctions(PipelineServices services)
{
    [Function(CheckInputsActivity.Name)]
    public Task<CheckInputsResult> CheckInputsAsync([ActivityTrigger] CheckInputsInput input, CancellationToken cancellationToken) =>
        new CheckInputsActivity(services).RunAsync(input, cancellationToken);

    [Function(IngestExtractActivity.Name)]
    public Task<IngestExtractResult> IngestExtractAsync([ActivityTrigger] IngestExtractInput input, CancellationToken cancellationToken) =>
        new IngestExtractActivity(services).RunAsync(input, cancellationToken);

    [Function(PartitionRecordsActivity.Name)]
    public Task<PartitionRecordsResult> PartitionRecordsAsync([ActivityTrigger] PartitionRecordsInput input, CancellationToken cancellationToken) =>
        new PartitionRecordsActivity(services).RunAsync(input, cancellationToken);

    [Function(EstimateParametersActivity.Name)]
    public Task<EstimateParametersResult> EstimateParametersAsync([ActivityTrigger] EstimateParametersInput input, CancellationToken cancellationToken) =>
        new EstimateParametersActivity(services).RunAsync(input, cancellationToken);

    [Function(CountPatternsActivity.Name)]
    public Task<CountPatternsResult> CountPatternsAsync([ActivityTrigger] CountPatternsInput input, CancellationToken cancellationToken) =>
        new CountPatternsActivity(services).RunAsync(input, cancellationToken);

    [Function(TrainModelActivity.Name)]
    public Task<TrainModelResult> TrainModelAsync([ActivityTrigger] TrainModelInput input, CancellationToken cancellationToken) =>
        new TrainModelActivity(services).RunAsync(input, cancellationToken);

    [Function(ScorePartitionActivity.Name)]
    public Task<ScorePartitionResult> ScorePartitionAsync([ActivityTrigger] ScorePartitionInput input, CancellationToken cancellationToken) =>
        new ScorePartitionActivity(services).RunAsync(input, cancellationToken);

    [Function(ClusterRecordsActivity.Name)]
    public Task<ClusterRecordsResult> ClusterRecordsAsync([ActivityTrigger] ClusterRecordsInput input, CancellationToken cancellationToken) =>
        new ClusterRecordsActivity(services).RunAsync(input, cancellationToken);

    [Function(LinkCasesActivity.Name)]
    public Task<LinkCasesResult> LinkCasesAsync([ActivityTrigger] LinkCasesInput input, CancellationToken cancellationToken) =>
        new LinkCasesActivity(services).RunAsync(input, cancellationToken);

    [Function(WriteShareDatasetActivity.Name)]
    public Task<WriteShareDatasetResult> WriteShareDatasetAsync([ActivityTrigger] WriteShareDatasetInput input, CancellationToken cancellationToken) =>
        new WriteShareDatasetActivity(services).RunAsync(input, cancellationToken);

    [Function(WriteCatalogueActivity.Name)]
    public Task<WriteCatalogueResult> WriteCatalogueAsync([ActivityTrigger] WriteCatalogueInput input, CancellationToken cancellationToken) =>
        new WriteCatalogueActivity(services).RunAsync(input, cancellationToken);

    [Function(PublishShareActivity.Name)]
    public Task<PublishShareResult> PublishShareAsync([ActivityTrigger] PublishShareInput input, CancellationToken cancellationToken) =>
        new PublishShareActivity(services).RunAsync(input, cancellationToken);

    [Function(CleanWorkingActivity.Name)]
    public Task<CleanWorkingResult> CleanWorkingAsync([ActivityTrigger] CleanWorkingInput input, CancellationToken cancellationToken) =>
        new CleanWorkingActivity(services).RunAsync(input, cancellationToken);
}
