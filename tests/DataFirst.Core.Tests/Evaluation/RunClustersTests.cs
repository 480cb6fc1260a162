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
}
