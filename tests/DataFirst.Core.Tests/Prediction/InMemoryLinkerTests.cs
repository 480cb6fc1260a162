using DataFirst.Core.Blocking;
using DataFirst.Core.Clustering;
using DataFirst.Core.Evaluation;
using DataFirst.Core.Ingest;
using DataFirst.Core.Prediction;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Tests.Prediction;

public sealed class InMemoryLinkerTests
{
    private static (RecordSet Set, List<string> Truth) Synthetic(int n = 4000)
    {
        var rows = SyntheticPeople.Generate(n, 0.25, 11);
        var settings = LinkageSettings.Parse(SyntheticPeople.BenchSettings);
        var set = new RecordSetBuilder(settings).AddRows(SyntheticPeople.Header, rows, "synthetic").Build();
        return (set, rows.Select(r => r[1]!).ToList());
    }

    [Fact]
    public void Run_SyntheticPeople_HighPairwiseF1()
    {
        var (set, truth) = Synthetic();
        var run = InMemoryLinker.Run(set, LinkageSettings.Parse(SyntheticPeople.BenchSettings), null, DateTimeOffset.UnixEpoch);
        var m = LinkageMetrics.Compare(run.Clusters.ClusterIds.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), truth);
        m.Precision.Should().BeGreaterThan(0.97);
        m.Recall.Should().BeGreaterThan(0.85);
        run.Model.Provenance.Sessions.Should().HaveCount(3);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScorePartition_PartitionedThroughStreams_SameEdgesAsOnePartition(bool shardTables)
    {
        var (set, _) = Synthetic(3000);
        var settings = LinkageSettings.Parse(SyntheticPeople.BenchSettings);
        var model = ModelTrainer.Train(set, settings, DateTimeOffset.UnixEpoch);
        var tf = TermFrequencyTables.Compute(set, settings);
        var (single, _) = InMemoryLinker.Predict(set, model, tf, partitions: 1);

        // Blob-style: every artefact through a stream.
        var model2 = LinkageModel.FromJson(model.ToJson());
        using var tfStream = new MemoryStream();
        tf.WriteTo(tfStream);
        tfStream.Position = 0;
        var tf2 = TermFrequencyTables.ReadFrom(tfStream);
        var edges = new List<Edge>();
        for (var r = 0; r < settings.BlockingRulesForPrediction.Count; r++)
        {
            foreach (var part in BlockingPartitioner.PartitionRecords(set, settings.BlockingRulesForPrediction[r], 5))
            {
                using var ms = new MemoryStream();
                part.WriteTo(ms);
                ms.Position = 0;
                using var edgeStream = new MemoryStream();
                var shard = RecordSet.ReadFrom(ms);
                // As the score activity does: only the shard's values' frequencies, or else the whole tables.
                var shardTf = shardTables ? TermFrequencyTables.ReadFor(new MemoryStream(tfStream.ToArray()), shard) : tf2;
                PartitionScorer.ScorePartition(shard, model2, r, shardTf, edgeStream);
                edgeStream.Position = 0;
                edges.AddRange(EdgeStream.Read(edgeStream));
            }
        }

        static string Key(Edge e) => $"{e.RowA}-{e.RowB}-{e.Weight:0.0000}";
        edges.Select(Key).Order().Should().Equal(single.Select(Key).Order());
        single.Should().NotBeEmpty();
    }

    [Fact]
    public void Explain_Pair_WaterfallSumsToWeight()
    {
        var (set, _) = Synthetic(2000);
        var settings = LinkageSettings.Parse(SyntheticPeople.BenchSettings);
        var model = ModelTrainer.Train(set, settings, DateTimeOffset.UnixEpoch);
        var w = PartitionScorer.Explain(set, model, 0, 1);
        (w.PriorWeight + w.Steps.Sum(s => s.BayesFactorWeight + s.TfAdjustment)).Should().BeApproximately(w.MatchWeight, 1e-9);
        w.Probability.Should().BeInRange(0, 1);
    }

    [Fact]
    public void ClusterAtThreshold_Chain_OneComponentBelowThresholdIgnored()
    {
        var edges = new[] { new Edge(0, 1, 10, 0.99f), new Edge(1, 2, 10, 0.95f), new Edge(3, 4, 1, 0.5f) };
        var c = ConnectedComponents.ClusterAtThreshold(5, edges, 0.9);
        c.ClusterIds.Should().Equal(0, 0, 0, 3, 4);
        c.Metrics.Clusters.Should().Be(3);
        c.Metrics.LargestCluster.Should().Be(3);
    }

    [Fact]
    public void Run_BlockAboveMaxBlockSizeWithError_ThrowsTheBlockingException_NotAnAggregate()
    {
        var (set, _) = Synthetic(800);
        var settings = LinkageSettings.Parse(SyntheticPeople.BenchSettings) with { MaxBlockSize = 3, OversizedBlocks = OversizedBlockAction.Error };
        var model = ModelTrainer.Train(set, LinkageSettings.Parse(SyntheticPeople.BenchSettings), DateTimeOffset.UnixEpoch);

        var training = () => InMemoryLinker.Run(set, settings, null, DateTimeOffset.UnixEpoch);
        var scoring = () => InMemoryLinker.Run(set, settings, model with { Settings = settings }, DateTimeOffset.UnixEpoch);

        // Record.Exception, not Should().Throw: FluentAssertions looks inside an AggregateException.
        Record.Exception(training).Should().BeOfType<BlockingException>().Which.Message.Should().Contain("exceeds max_block_size 3");
        Record.Exception(scoring).Should().BeOfType<BlockingException>().Which.Message.Should().Contain("exceeds max_block_size 3");
    }
}
