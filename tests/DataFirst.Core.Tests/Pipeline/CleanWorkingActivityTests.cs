using DataFirst.Core.Deidentification;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Pipeline.Activities;
using DataFirst.Core.Storage;
using DataFirst.Core.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DataFirst.Core.Tests.Pipeline;

public sealed class CleanWorkingActivityTests
{
    [Fact]
    public async Task RunAsync_DeletesEveryIntermediate_SeveralAtATime_AndKeepsTheRest()
    {
        var blobs = new TestBlobStore { DeleteLatency = TimeSpan.FromMilliseconds(20) };
        var services = new PipelineServices(blobs, new InMemoryTableStore(), new Mock<IPseudonymKeyProvider>().Object, NullLoggerFactory.Instance);
        await blobs.CreateContainerIfNotExistsAsync(PipelineServices.WorkingContainer);
        var removed = Enumerable.Range(0, 60).Select(i => $"r1/shards/prediction-0/{i:D4}.dfrs").Append("r1/clean/case-link/magistrates.csv").ToList();
        foreach (var name in removed.Append("r1/settings.json").Append("r2/shards/prediction-0/0000.dfrs"))
        {
            await blobs.UploadBytesAsync(PipelineServices.WorkingContainer, name, new byte[] { 1, 2, 3 });
        }

        var run = new RunContext("r1", "s", "v", new DateOnly(2026, 11, 22), "working/r1/settings.json", 1);
        var result = await new CleanWorkingActivity(services).RunAsync(new CleanWorkingInput(run), CancellationToken.None);

        result.Should().Be(new CleanWorkingResult(removed.Count, 3L * removed.Count));
        blobs.BlobNames(PipelineServices.WorkingContainer).Should().BeEquivalentTo(["r1/settings.json", "r2/shards/prediction-0/0000.dfrs"], "another run's blobs and the pinned settings stay");
        blobs.MostConcurrentDeletes.Should().BeGreaterThan(1).And.BeLessThanOrEqualTo(CleanWorkingActivity.ParallelDeletes);
    }
}
