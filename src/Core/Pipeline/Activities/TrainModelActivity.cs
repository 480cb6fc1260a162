using System.Text;
using System.Text.Json;
using DataFirst.Core.Training;

namespace DataFirst.Core.Pipeline.Activities;

/// <summary>
/// Sums each training rule's partition histograms and runs EM on the sums (one session per rule,
/// combined as Splink does), giving m; with u and λ that is the model, saved to the models
/// container so that later refreshes can score with it.
/// </summary>
public sealed class TrainModelActivity(PipelineServices services)
{
    public const string Name = nameof(TrainModelActivity);

    public async Task<TrainModelResult> RunAsync(TrainModelInput input, CancellationToken cancellationToken)
    {
        var settings = await PipelineSettings.LoadAsync(services, input.Run.SettingsBlob, cancellationToken).ConfigureAwait(false);
        EstimatedParameters parameters;
        await using (var stream = await services.OpenReadAsync(input.ParametersBlob, cancellationToken).ConfigureAwait(false))
        {
            parameters = (await JsonSerializer.DeserializeAsync<EstimatedParameters>(stream, Workflow.WorkflowJson.Options, cancellationToken).ConfigureAwait(false))!;
        }

        var histograms = new List<PatternHistogram>();
        for (var rule = 0; rule < settings.BlockingRulesForTraining.Count; rule++)
        {
            var parts = input.Histograms.Where(h => h.TrainingRule == rule).Select(h => PatternHistogram.ReadFrom(new MemoryStream(Encoding.UTF8.GetBytes(h.Histogram)))).ToList();
            histograms.Add(parts.Count > 0 ? PatternHistogram.Sum(parts) : EmptyHistogram(settings));
        }

        var provenance = new TrainingProvenance
        {
            TrainedAtUtc = new DateTimeOffset(input.Run.RunDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            EngineVersion = ModelTrainer.EngineVersion,
            Records = parameters.Records,
            RecordsPerDataset = TrainingProvenance.NamedCounts(parameters.RecordsPerDataset),
            SourceDatasets = parameters.RecordsPerDataset.Count,
        };
        var model = EmTrainer.EstimateParameters(settings, histograms, parameters.U, parameters.Lambda, provenance);
        var json = model.ToJson();
        var blob = $"{PipelineServices.ModelsContainer}/{input.Run.Share}/{input.Run.RunId}/model.json";
        await services.WriteAsync(blob, s => s.WriteAsync(Encoding.UTF8.GetBytes(json), cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
        var sessions = model.Provenance.Sessions;
        return new TrainModelResult(blob, sessions.Sum(s => s.Iterations), sessions.All(s => s.Converged), model.Provenance.Warnings);
    }

    private static PatternHistogram EmptyHistogram(Settings.LinkageSettings settings)
    {
        var specs = Comparisons.ComparisonSpec.FromSettings(settings);
        return new PatternHistogram(specs.Select(s => s.Name).ToList(), specs.Select(s => s.Levels.Count).ToList());
    }
}
