using DataFirst.Core.Pipeline.Activities;
using DataFirst.Core.Workflow;

namespace DataFirst.Core.Pipeline;

/// <summary>The linkage run's orchestrator and activities, registered by name for the local runner.</summary>
public static class PipelineWorkflows
{
    public static (ActivityRegistry Activities, OrchestratorRegistry Orchestrators) Create(PipelineServices services)
    {
        var activities = new ActivityRegistry()
            .Add<CheckInputsInput, CheckInputsResult>(CheckInputsActivity.Name, new CheckInputsActivity(services).RunAsync)
            .Add<IngestExtractInput, IngestExtractResult>(IngestExtractActivity.Name, new IngestExtractActivity(services).RunAsync)
            .Add<PartitionRecordsInput, PartitionRecordsResult>(PartitionRecordsActivity.Name, new PartitionRecordsActivity(services).RunAsync)
            .Add<EstimateParametersInput, EstimateParametersResult>(EstimateParametersActivity.Name, new EstimateParametersActivity(services).RunAsync)
            .Add<CountPatternsInput, CountPatternsResult>(CountPatternsActivity.Name, new CountPatternsActivity(services).RunAsync)
            .Add<TrainModelInput, TrainModelResult>(TrainModelActivity.Name, new TrainModelActivity(services).RunAsync)
            .Add<ScorePartitionInput, ScorePartitionResult>(ScorePartitionActivity.Name, new ScorePartitionActivity(services).RunAsync)
            .Add<ClusterRecordsInput, ClusterRecordsResult>(ClusterRecordsActivity.Name, new ClusterRecordsActivity(services).RunAsync)
            .Add<LinkCasesInput, LinkCasesResult>(LinkCasesActivity.Name, new LinkCasesActivity(services).RunAsync)
            .Add<WriteShareDatasetInput, WriteShareDatasetResult>(WriteShareDatasetActivity.Name, new WriteShareDatasetActivity(services).RunAsync)
            .Add<WriteCatalogueInput, WriteCatalogueResult>(WriteCatalogueActivity.Name, new WriteCatalogueActivity(services).RunAsync)
            .Add<PublishShareInput, PublishShareResult>(PublishShareActivity.Name, new PublishShareActivity(services).RunAsync)
            .Add<CleanWorkingInput, CleanWorkingResult>(CleanWorkingActivity.Name, new CleanWorkingActivity(services).RunAsync);
        var orchestrators = new OrchestratorRegistry()
            .Add<LinkageRunRequest, LinkageRunResult>(LinkageRunOrchestrator.Name, LinkageRunOrchestrator.RunAsync);
        return (activities, orchestrators);
    }
}
