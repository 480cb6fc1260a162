using DataFirst.Core.Evaluation;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Tests.Evaluation;

public sealed class RunClustersTests
{
    private static RunClusters Read(params string[] lines)
    {
        var file = Path.Combine(Path.GetTempPath(), $"clusters-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllLines(file, lines);
            return RunClusters.Read(file, "clusters");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Resolve_OneDatasetRun_ANamedDatasetThatIsNotTheRuns_FailsNamingTheLine()
    {
        var run = Read("unique_id,source_dataset,cluster_id", "1,people,0", "2,people,0");

        var other = () => run.Resolve("1", "fake", "labels", 7);

        run.Resolve("1", "people", "labels", 2).Should().Be(new RecordRef("people", "1"));
        run.Resolve("1", "", "labels", 3).Should().Be(new RecordRef("people", "1"));
        run.Resolve("9", "people", "labels", 4).Should().BeNull();
        other.Should().Throw<DataException>().WithMessage("labels line 7: source dataset 'fake' is not the dataset of the run's clusters ('people')*");
    }

    [Fact]
    public void Resolve_ClustersWithoutASourceDataset_TakeAnyNamedDataset()
    {
        var run = Read("unique_id,cluster_id", "1,0", "2,0");

        run.Resolve("1", "fake", "labels", 2).Should().Be(new RecordRef("", "1"));
    }

    [Fact]
    public void Resolve_UnknownDataset_ListsTheRunsDatasets_OnlyWhenTheyAreFew()
    {
        var few = Read("unique_id,source_dataset,cluster_id", "1,gp,0", "1,hospital,0");
        var act = () => few.Resolve("1", "x", "--truth 't'", 2);
        act.Should().Throw<DataException>().WithMessage("--truth 't' line 2: source dataset 'x' is not a dataset of the run's clusters (they are: gp, hospital).");

        // A run whose source_dataset_column was a surname: its "datasets" are people's names.
        var many = Read(["unique_id,source_dataset,cluster_id", .. Enumerable.Range(0, 21).Select(i => $"{i},Smith{(char)('a' + i)},{i}")]);
        act = () => many.Resolve("1", "x", "--truth 't'", 2);
        act.Should().Throw<DataException>().WithMessage("*(they are: 21 datasets, not named: too many for source datasets).")
            .Which.Message.Should().NotContain("Smitha");
    }
}
