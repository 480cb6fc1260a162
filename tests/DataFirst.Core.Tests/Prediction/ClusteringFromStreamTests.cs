using DataFirst.Core.Clustering;
using DataFirst.Core.Prediction;

namespace DataFirst.Core.Tests.Prediction;

/// <summary>Clustering reads its edges more than once from a stream instead of holding them (a national run's do not
/// fit), and size_aware holds only the links whose order decides: the clusters must be those of every link sorted.</summary>
public sealed class ClusteringFromStreamTests
{
    private const int Records = 3000;

    [Fact]
    public void EdgeStream_ManyBlocks_RoundTrip_AndReadFromStartRereads()
    {
        var edges = Edges(new Random(1)).ToList();
        edges.Count.Should().BeGreaterThan(2 * 4096, "more than one read block");
        using var file = new MemoryStream();
        EdgeStream.Write(file, edges);

        var source = EdgeStream.ReadFromStart(file);

        source.Should().Equal(edges);
        source.Should().Equal(edges, "each enumeration starts again at the stream's start");
    }

    [Fact]
    public async Task EdgeStream_AppendedBlobs_ReadAsOne_AndATruncatedOrForeignStreamIsRefused()
    {
        var edges = Edges(new Random(2)).ToList();
        using var target = new MemoryStream();
        await EdgeStream.StartAsync(target, CancellationToken.None);
        foreach (var part in edges.Chunk(5000))
        {
            using var blob = new MemoryStream();
            EdgeStream.Write(blob, part);
            blob.Position = 0;
            await EdgeStream.AppendAsync(blob, target, CancellationToken.None);
        }

        EdgeStream.ReadFromStart(target).Should().Equal(edges);

        target.SetLength(target.Length - 3);
        var truncated = () => EdgeStream.ReadFromStart(target).Count();
        truncated.Should().Throw<Core.Settings.FormatException>().WithMessage("*truncated*");
        var foreign = () => EdgeStream.AppendAsync(new MemoryStream("row_id,person_id\n"u8.ToArray()), new MemoryStream(), CancellationToken.None);
        await foreign.Should().ThrowAsync<Core.Settings.FormatException>().WithMessage("*magic*");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    public void SizeAware_FromAStream_GivesTheClustersOfEveryLinkSortedStrongestFirst(int seed)
    {
        var edges = Edges(new Random(seed)).ToList();
        using var file = new MemoryStream();
        EdgeStream.Write(file, edges);

        var streamed = ConnectedComponents.Cluster(Records, EdgeStream.ReadFromStart(file), 0.5, ClusterLinkage.SizeAware, null);
        var penalties = streamed.Metrics.SizePenaltyBits;

        penalties.Should().NotBeEmpty("confident clusters are mostly pairs, so a third member needs more evidence");
        streamed.ClusterIds.Should().Equal(SortedReference(edges, 0.5, penalties));
        streamed.ClusterIds.Should().NotEqual(ConnectedComponents.ClusterAtThreshold(Records, edges, 0.5).ClusterIds, "some weak links are refused");
        ConnectedComponents.Cluster(Records, edges, 0.5, ClusterLinkage.SizeAware, null).ClusterIds.Should().Equal(streamed.ClusterIds);
        ConnectedComponents.ClusterAtThreshold(Records, EdgeStream.ReadFromStart(file), 0.5).Should()
            .BeEquivalentTo(ConnectedComponents.ClusterAtThreshold(Records, edges, 0.5));
    }

    [Fact]
    public void Cluster_EdgeOutsideTheRecords_IsRefused()
    {
        var act = () => ConnectedComponents.ClusterAtThreshold(3, [new Edge(0, 3, 9, 0.99f)], 0.5);
        act.Should().Throw<Core.Settings.DataException>().WithMessage("*outside 0..2*");
    }

    /// <summary>People of one or two records (confident pairs), and weaker links across them of up to 6.5 bits (below the confident 0.99), some below
    /// the threshold: the sure links and the undecided ones interleave in the stream.</summary>
    private static IEnumerable<Edge> Edges(Random rng)
    {
        for (var i = 0; i + 1 < Records; i += 2)
        {
            if (rng.Next(3) > 0)
            {
                yield return Make(i, i + 1, 8 + (rng.NextSingle() * 8));
            }

            for (var k = 0; k < 6; k++)
            {
                yield return Make(i, rng.Next(Records), (rng.NextSingle() * 7.5f) - 1);
            }
        }
    }

    private static Edge Make(int a, int b, float weight) => new(a, b, weight, (float)(1 / (1 + Math.Pow(2, -weight))));

    /// <summary>The size-aware rule as documented, over every link at once: links at or above the threshold sorted by
    /// weight (ties by row ids), each joining when its weight pays for the size of cluster it forms.</summary>
    private static int[] SortedReference(List<Edge> edges, double threshold, IReadOnlyDictionary<int, double> penalties)
    {
        var kept = edges.Where(e => e.Probability >= threshold).OrderByDescending(e => e.Weight).ThenBy(e => e.RowA).ThenBy(e => e.RowB).ToList();
        var parent = Enumerable.Range(0, Records).ToArray();
        var size = Enumerable.Repeat(1, Records).ToArray();
        int Find(int x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
        var minWeight = Math.Log2(threshold / (1 - threshold));
        var maxSize = penalties.Keys.Max();
        foreach (var e in kept)
        {
            var (ra, rb) = (Find(e.RowA), Find(e.RowB));
            var k = size[ra] + size[rb];
            if (ra == rb || e.Weight < minWeight + (k < 3 ? 0 : penalties.GetValueOrDefault(Math.Min(k, maxSize))))
            {
                continue;
            }

            var (root, child) = ra < rb ? (ra, rb) : (rb, ra);
            parent[child] = root;
            size[root] = k;
        }

        return Enumerable.Range(0, Records).Select(Find).ToArray();
    }
}
