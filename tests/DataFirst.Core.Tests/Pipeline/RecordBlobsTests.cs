using DataFirst.Core.Deidentification;
using DataFirst.Core.Ingest;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Pipeline.Activities;
using DataFirst.Core.Settings;
using DataFirst.Core.Storage;
using DataFirst.Core.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DataFirst.Core.Tests.Pipeline;

public sealed class RecordBlobsTests
{
    private static readonly LinkageSettings Settings = Tests.Settings.LinkageSettingsTests.ForenameAndDob();

    private static async Task<(TestBlobStore Blobs, PipelineServices Services, string[] Names)> TwoDatasetsAsync()
    {
        var blobs = new TestBlobStore();
        var services = new PipelineServices(blobs, new InMemoryTableStore(), new Mock<IPseudonymKeyProvider>().Object, NullLoggerFactory.Instance);
        await blobs.CreateContainerIfNotExistsAsync(PipelineServices.WorkingContainer);
        var names = new[] { "working/r1/records/a.dfrs", "working/r1/records/b.dfrs" };
        var sets = new[] { "id,forename,dob\n1,Bob,1980-01-02\n2,Ann,\n", "id,forename,dob\n7,Cy,1980-01-02\n8,Ann,1981-05-06\n9,Bob,\n" };
        for (var i = 0; i < 2; i++)
        {
            var set = new RecordSetBuilder(Settings).AddCsv(new StringReader(sets[i]), i == 0 ? "a" : "b").Build();
            await services.WriteAsync(names[i], s => Task.Run(() => set.WriteTo(s)), CancellationToken.None);
        }

        return (blobs, services, names);
    }

    [Fact]
    public async Task ReadAll_OpensEachBlobOnce_AndConcatenatesInTheRunsOrder()
    {
        var (blobs, services, names) = await TwoDatasetsAsync();

        var all = await RecordBlobs.ReadAllAsync(services, ["", .. names], CancellationToken.None);

        names.Select(n => blobs.Opened[n]).Should().Equal(1, 1);
        Enumerable.Range(0, all.Count).Select(all.UniqueId).Should().Equal("1", "2", "7", "8", "9");
        Enumerable.Range(0, all.Count).Select(all.SourceDataset).Should().Equal("a", "a", "b", "b", "b");
        Enumerable.Range(0, all.Count).Select(all.RowId).Should().Equal(0, 1, 2, 3, 4);
        Enumerable.Range(0, all.Count).Select(i => all.Value(i, all.ColumnIndex("forename"))).Should().Equal("BOB", "ANN", "CY", "ANN", "BOB");
    }

    [Fact]
    public async Task ReadAll_KeepingNoColumn_GivesTheIdsAlone_AndNoBlobIsAnError()
    {
        var (_, services, names) = await TwoDatasetsAsync();

        var ids = await RecordBlobs.ReadAllAsync(services, names, CancellationToken.None, keep: []);
        var one = await RecordBlobs.ReadAllAsync(services, [names[1]], CancellationToken.None, keep: []);
        var none = () => RecordBlobs.ReadAllAsync(services, [""], CancellationToken.None);

        ids.ColumnNames.Should().BeEmpty();
        Enumerable.Range(0, ids.Count).Select(ids.UniqueId).Should().Equal("1", "2", "7", "8", "9");
        one.ColumnNames.Should().BeEmpty();
        Enumerable.Range(0, one.Count).Select(one.UniqueId).Should().Equal("7", "8", "9");
        await none.Should().ThrowAsync<DataException>().WithMessage("the run has no person-level records to link.");
    }
}
