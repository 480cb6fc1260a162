using DataFirst.Core.Evaluation;

namespace DataFirst.Core.Tests.Evaluation;

public sealed class EvaluationSuiteTests
{
    [Fact]
    public void RunCase_Febrl3_MeetsTargetOrSkipsWhenDatasetsAbsent()
    {
        var root = EvaluationSuite.FindRepoRoot(AppContext.BaseDirectory)!;
        var datasets = EvaluationSuite.LocateDatasets(root);
        if (datasets is null)
        {
            // Datasets folder absent (../shared/datasets or DATAFIRST_DATASETS): nothing to evaluate here.
            return;
        }

        var examples = Path.Combine(root, "examples");
        var febrl3 = EvaluationSuite.LoadCases(examples).Single(c => c.Name == "febrl3");
        var result = EvaluationSuite.RunCase(febrl3, examples, datasets, DateTimeOffset.UnixEpoch);
        result.Metrics.F1.Should().BeGreaterThanOrEqualTo(0.995);
    }

    [Fact]
    public void Compare_KnownClusters_PairwiseAndBCubed()
    {
        var m = LinkageMetrics.Compare(["a", "a", "a", "b"], ["x", "x", "y", "y"]);
        m.TruePositivePairs.Should().Be(1);
        m.PredictedPairs.Should().Be(3);
        m.TruePairs.Should().Be(2);
        m.Precision.Should().BeApproximately(1 / 3.0, 1e-9);
        m.Recall.Should().BeApproximately(0.5, 1e-9);
    }
}
