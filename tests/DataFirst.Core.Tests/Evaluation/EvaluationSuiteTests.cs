using DataFirst.Core.Evaluation;
using DataFirst.Core.Settings;

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
    public void RunCase_BlankTruthLabels_AreLeftOutOfScoring_NotOneEntity()
    {
        var root = EvaluationSuite.FindRepoRoot(AppContext.BaseDirectory)!;
        var datasets = EvaluationSuite.LocateDatasets(root);
        if (datasets is null)
        {
            return;
        }

        // fake_1000 with every 10th record's cluster blank: read as one entity "", the blank records would make about
        // 5,000 true pairs the clusters never link (F1 about 0.34); left out, the case scores as usual.
        var dir = Directory.CreateTempSubdirectory("suite-blank-").FullName;
        try
        {
            var lines = File.ReadAllLines(Path.Combine(datasets, "splink_fake_1000.csv"));
            var blanked = lines.Select((line, i) => i > 0 && i % 10 == 0 ? line[..(line.LastIndexOf(',') + 1)] : line);
            File.WriteAllLines(Path.Combine(dir, "splink_fake_1000.csv"), blanked);
            var examples = Path.Combine(root, "examples");
            var fake = EvaluationSuite.LoadCases(examples).Single(c => c.Name == "fake_1000");

            var result = EvaluationSuite.RunCase(fake, examples, dir, DateTimeOffset.UnixEpoch);

            result.RecordsBlankTruth.Should().Be((lines.Length - 1) / 10);
            result.Metrics.F1.Should().BeGreaterThan(0.85);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
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

    [Theory]
    [InlineData("^rec-(\\d+)-", null)]
    [InlineData("^rec-\\d+-", "exactly one capture group")]
    [InlineData("^(rec)-(\\d+)-", "exactly one capture group")]
    [InlineData("(?<id>\\d+)", null)]
    [InlineData("(", "not a valid regular expression")]
    public void TruthPatternProblem_NeedsExactlyOneCaptureGroup(string pattern, string? expected)
    {
        var problem = EvaluationSuite.TruthPatternProblem(pattern);

        if (expected is null)
        {
            problem.Should().BeNull();
        }
        else
        {
            problem.Should().Contain(expected);
        }
    }

    [Fact]
    public void ReadTruth_ValueThePatternDoesNotMatch_FailsNamingTheLine_AndBlankStaysBlank()
    {
        var file = Path.Combine(Path.GetTempPath(), $"truth-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllLines(file, ["unique_id,rec", "1,rec-1-org", "2,", "3,other"]);

            var act = () => EvaluationSuite.ReadTruth(file, "unique_id", "rec", "^rec-(\\d+)-");
            var rows = EvaluationSuite.ReadTruthRows(file, "t", "unique_id", "rec", "^rec-(\\d+)-", null, false).Take(2).Select(r => r.Label).ToList();

            act.Should().Throw<DataException>().WithMessage("*line 4: the truth value does not match the truth pattern*");
            rows.Should().Equal("1", "");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ReadTruth_PatternWithoutAGroup_IsASettingsError()
    {
        var act = () => EvaluationSuite.ReadTruth("unused.csv", "unique_id", "rec", "^rec-");

        act.Should().Throw<SettingsException>().WithMessage("*truth_pattern*exactly one capture group*");
    }
}
