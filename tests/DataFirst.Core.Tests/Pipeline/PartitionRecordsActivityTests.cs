using System.Globalization;
using System.Text;
using DataFirst.Core.Blocking;
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

public sealed class PartitionRecordsActivityTests
{
    // Minimal, with a training rule.
    private static readonly string Json = Tests.Settings.LinkageSettingsTests.Minimal.Replace("\"deterministic_rules\"", "\"blocking_rules_for_training\": [[\"dob\"]],\n  \"deterministic_rules\"", StringComparison.Ordinal);

    private static readonly LinkageSettings Settings = Tests.Settings.LinkageSettingsTests.ForenameAndDob(Json);

    private static readonly string[] Names = ["Ann", "Bob", "Cy", "Dee", "Eve", "Flo", "Gus", "Hal", "Ivy", "Jo"];

    [Theory]
    [InlineData(RuleRef.Prediction)]
    [InlineData(RuleRef.Training)]
    public async Task Shards_CutADatasetAtATime_HoldWhatOneShardOfAllRecordsHeld(string kind)
    {
        // Three datasets; each partition's shard comes as a part per dataset that has records in it. Read together,
        // the parts must be the partition of the whole run: the same records in the same order, with run-wide row ids.
        var blobs = new TestBlobStore();
        var services = new PipelineServices(blobs, new InMemoryTableStore(), new Mock<IPseudonymKeyProvider>().Object, NullLoggerFactory.Instance);
        await blobs.CreateContainerIfNotExistsAsync(PipelineServices.WorkingContainer);
        var run = new RunContext("part-1", "s", "v", new DateOnly(2026, 11, 22), $"working/part-1/settings-{kind}.json", 1);
        await services.WriteAsync(run.SettingsBlob, s => s.WriteAsync(Encoding.UTF8.GetBytes(Json)).AsTask(), CancellationToken.None);
        var records = new List<string>();
        foreach (var (dataset, count) in new[] { ("a", 300), ("b", 7), ("c", 200) })
        {
            var csv = new StringBuilder("id,forename,dob\n");
            for (var i = 0; i < count; i++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{dataset}{i},{(i % 11 == 0 ? string.Empty : Names[(i * 7 + dataset[0]) % Names.Length])},19{50 + (i % 13)}-0{1 + (i % 9)}-1{i % 10}\n");
            }

            var set = new RecordSetBuilder(Settings).AddCsv(new StringReader(csv.ToString()), dataset).Build();
            records.Add($"working/part-1/records/{dataset}.dfrs");
            await RecordBlobs.WriteAsync(services, records[^1], set, CancellationToken.None);
        }

        var rule = new RuleRef(kind, kind == RuleRef.Prediction ? 1 : 0);
        var result = await new PartitionRecordsActivity(services).RunAsync(new PartitionRecordsInput(run, records, rule, 4), CancellationToken.None);

        var all = await RecordBlobs.ReadAllAsync(services, records, CancellationToken.None);
        var columns = kind == RuleRef.Prediction ? Settings.BlockingRulesForPrediction[1] : Settings.BlockingRulesForTraining[0];
        var expected = BlockingPartitioner.PartitionRecords(all, columns, 4).Where(p => p.Count >= 2).ToList();
        var shards = result.Shards();
        result.ShardBlobs.Should().BeEmpty();
        shards.Should().HaveCount(expected.Count);
        shards.Sum(s => s.Count).Should().BeGreaterThan(shards.Count, "most partitions hold records of several datasets");
        for (var p = 0; p < shards.Count; p++)
        {
            foreach (var part in shards[p])
            {
                var alone = await RecordBlobs.ReadAllAsync(services, [part], CancellationToken.None, renumberRows: false);
                Enumerable.Range(0, alone.Count).Select(alone.SourceDataset).Distinct().Should().ContainSingle("a part is one dataset's records");
            }

            var shard = await RecordBlobs.ReadAllAsync(services, shards[p], CancellationToken.None, renumberRows: false);
            Describe(shard).Should().Equal(Describe(expected[p]));
        }

        var analysis = kind == RuleRef.Prediction
            ? BlockingAnalysis.Analyse(all, Settings, Settings.BlockingRulesForPrediction.Take(2).ToList())
            : BlockingAnalysis.AnalyseTrainingRule(all, Settings, 0);
        result.Comparisons.Should().Be(analysis.Rules[^1].Comparisons).And.BeGreaterThan(0);
        result.LargestBlock.Should().Be(analysis.Rules[^1].LargestBlocks[0]);
    }

    private static List<string> Describe(RecordSet set) =>
        Enumerable.Range(0, set.Count)
            .Select(r => $"{set.UniqueId(r)}|{set.SourceDataset(r)}|{set.RowId(r)}|{set.Value(r, set.ColumnIndex("forename"))}|{set.Value(r, set.ColumnIndex("dob"))}")
            .ToList();
}
