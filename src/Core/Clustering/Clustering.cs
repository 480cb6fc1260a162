using DataFirst.Core.Prediction;

namespace DataFirst.Core.Clustering;

/// <summary>A cluster flagged as suspicious: large and sparsely connected (possible chaining of false links).</summary>
public sealed record SuspiciousCluster(int ClusterId, int Size, long Edges, double Density);

public sealed record ClusterMetrics(int Records, int Clusters, int Singletons, int LargestCluster, IReadOnlyDictionary<int, int> SizeDistribution, IReadOnlyList<SuspiciousCluster> Suspicious);

public sealed record ClusterResult(int[] ClusterIds, ClusterMetrics Metrics);

/// <summary>Connected components over edges at or above a threshold.</summary>
public static class ConnectedComponents
{
    /// <summary>Cluster id per row id (0..<paramref name="records"/>-1): the smallest row id in the component.
    /// Clusters of at least <paramref name="suspiciousSize"/> records with density (edges / possible pairs)
    /// below <paramref name="suspiciousDensity"/> are flagged.</summary>
    public static ClusterResult ClusterAtThreshold(int records, IEnumerable<Edge> edges, double threshold, int suspiciousSize = 10, double suspiciousDensity = 0.3)
    {
        var parent = new int[records];
        for (var i = 0; i < records; i++)
        {
            parent[i] = i;
        }

        var kept = new List<Edge>();
        foreach (var e in edges)
        {
            if (e.Probability < threshold)
            {
                continue;
            }

            if ((uint)e.RowA >= (uint)records || (uint)e.RowB >= (uint)records)
            {
                throw new Settings.DataException($"edge ({e.RowA}, {e.RowB}) refers to a row id outside 0..{records - 1}: edges and record set do not belong together.");
            }

            kept.Add(e);
            var ra = Find(parent, e.RowA);
            var rb = Find(parent, e.RowB);
            if (ra != rb)
            {
                if (ra < rb)
                {
                    parent[rb] = ra;
                }
                else
                {
                    parent[ra] = rb;
                }
            }
        }

        var ids = new int[records];
        var sizes = new int[records];
        for (var i = 0; i < records; i++)
        {
            ids[i] = Find(parent, i);
            sizes[ids[i]]++;
        }

        var edgeCounts = new Dictionary<int, long>();
        foreach (var e in kept)
        {
            var c = ids[e.RowA];
            if (sizes[c] >= suspiciousSize)
            {
                edgeCounts[c] = edgeCounts.GetValueOrDefault(c) + 1;
            }
        }

        var dist = new SortedDictionary<int, int>();
        var clusters = 0;
        var singletons = 0;
        var largest = 0;
        var suspicious = new List<SuspiciousCluster>();
        for (var i = 0; i < records; i++)
        {
            var s = sizes[i];
            if (s == 0)
            {
                continue;
            }

            clusters++;
            singletons += s == 1 ? 1 : 0;
            largest = Math.Max(largest, s);
            dist[s] = dist.GetValueOrDefault(s) + 1;
            if (s >= suspiciousSize)
            {
                var ec = edgeCounts.GetValueOrDefault(i);
                var density = ec / (s * (s - 1) / 2.0);
                if (density < suspiciousDensity)
                {
                    suspicious.Add(new SuspiciousCluster(i, s, ec, density));
                }
            }
        }

        return new ClusterResult(ids, new ClusterMetrics(records, clusters, singletons, largest, dist, suspicious));
    }

    private static int Find(int[] parent, int x)
    {
        while (parent[x] != x)
        {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }

        return x;
    }
}
