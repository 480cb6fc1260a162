using System.Text.Json;
using DataFirst.Cli.Hosting;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Workflow;

namespace DataFirst.Cli.Tests.Hosting;

public sealed class RunSummaryTests
{
    [Fact]
    public void Write_Refresh_PersonIdLineAddsUpToEstimatedPeople_AndShowsChangedRecords()
    {
        var ids = new PersonIdReport(8470, 1963, 829, 1000, 84, 50, 1963, 829, 10, 20, 1.0, RecordsChanged: 3778, RecordsUnchecked: 0);
        var result = new LinkageRunResult("run", "s", "v2", 8470, 0, 9740, 1963, 328, 5, true, ids, "srs-transfer/s/v2/", PersonIdWarnings.For(ids), []);
        using var output = new StringWriter();

        RunSummary.Write(output, result, new WorkflowExecutionStats(0, 93), null!);

        var text = output.ToString();
        text.Should().Contain("estimated people           1,963   (ids kept from the previous run: 829, new: 1,000, new after a split: 84, new after a merge: 50)");
        text.Should().Contain("3,778 hold another record");
        text.Should().Contain("warning: person ids:").And.Contain("renumbered");
        var json = JsonDocument.Parse(text.TrimEnd().Split('\n')[^1]).RootElement.GetProperty("personIds");
        json.GetProperty("recordsChanged").GetInt32().Should().Be(3778);
        (json.GetProperty("kept").GetInt32() + json.GetProperty("newPeople").GetInt32() + json.GetProperty("splitClusters").GetInt32() + json.GetProperty("mergedClusters").GetInt32()).Should().Be(1963);
    }
}
