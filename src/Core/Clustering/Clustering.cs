using DataFirst.Core.Prediction;

namespace DataFirst.Core.Clustering;

/// <summary>A cluster flagged as suspicious: large and sparsely connected (possible chaining of false links).</summary>
public sealed record SuspiciousCluster(int ClusterId, int Size, long Edges, double Density);

public sealed record ClusterMetrics(int Records, int Clusters, int Singletons, int LargestCluster, IReadOnlyDictionary<int, int> SizeDistribution, IReadOnlyList<SuspiciousCluster> Suspicious)
{
    /// <summary>size_aware only: extra match weight (bits) a link needs to form a cluster of each size (sizes 3 and up
    /// where it is above 0; larger sizes need the last value).</summary>
    public IReadOnlyDictionary<int, double> SizePenaltyBits { get; init; } = new Dictionary<int, double>();
}

public sealed record ClusterResult(int[] ClusterIds, ClusterMetrics Metrics);

/// <summary>How linked records are grouped (settings <c>clustering</c>).</summary>
public enum ClusterLinkage
{
    /// <summary>Every link at or above the threshold joins its two clusters (single linkage).</summary>
    ConnectedComponents,

    /// <summary>Connected components with a cluster-size prior learned from the data: links are taken strongest first,
    /// and a link that would form a cluster of k ≥ 3 records needs log2(g2 / gk) more bits of match weight, where gk is
    /// the share of confident clusters (links ≥ 0.99) of at least k−1 records that reach k. Where people have many
    /// records gk does not fall and this is plain connected components.</summary>
    SizeAware,

    /// <summary>Links are taken strongest first; two clusters join only when the mean match probability over all their
    /// cross pairs is at or above the threshold.</summary>
    AverageLinkage,

    /// <summary>As average linkage, but every cross pair must be at or above the threshold.</summary>
    CompleteLinkage,
}

/// <summary>Clusters over edges at or above a threshold: connected components, or average / complete linkage.</summary>
public static class ConnectedComponents
{
    /// <summary>Above this many cross pairs between two clusters, pairs that are not edges count as probability 0
    /// instead of being scored (bounds the work for very large clusters).</summary>
    public const int MaxScoredCrossPairs = 4096;

    public static ClusterLinkage ParseLinkage(string? value) => value switch
    {
        null or "" or "connected_components" => ClusterLinkage.ConnectedComponents,
        "size_aware" => ClusterLinkage.SizeAware,
        "average_linkage" => ClusterLinkage.AverageLinkage,
        "complete_linkage" => ClusterLinkage.CompleteLinkage,
        _ => throw new Settings.SettingsException("$.clustering", $"unknown clustering '{value}'; allowed: connected_components, size_aware, average_linkage, complete_linkage."),
    };

    /// <summary>Cluster id per row id (0..<paramref name="records"/>-1): the smallest row id in the component.
    /// Clusters of at least <paramref name="suspiciousSize"/> records with density (edges / possible pairs)
    /// below <paramref name="suspiciousDensity"/> are flagged.</summary>
    public static ClusterResult ClusterAtThreshold(int records, IEnumerable<Edge> edges, double threshold, int suspiciousSize = 10, double suspiciousDensity = 0.3) =>
        Cluster(records, edges, threshold, ClusterLinkage.ConnectedComponents, null, suspiciousSize, suspiciousDensity);

    /// <summary>
    /// Clusters by <paramref name="linkage"/>. With average or complete linkage, edges are taken in descending
    /// probability and two clusters join only when their cross pairs agree: a record weakly linked to one member of
    /// a strong pair no longer joins it when the other member disagrees. A cross pair that is not an edge gets its
    /// probability from <paramref name="pairProbability"/> (the model scoring the pair directly), or 0 without it.
    /// <paramref name="edges"/> is enumerated more than once (a list, or a source that reads its blobs again), and
    /// connected components and size_aware hold none of it but the size_aware links whose order decides: a national
    /// run's edges need not fit in memory.
    /// </summary>
    public static ClusterResult Cluster(int records, IEnumerable<Edge> edges, double threshold, ClusterLinkage linkage, Func<int, int, double>? pairProbability, int suspiciousSize = 10, double suspiciousDensity = 0.3)
    {
        var kept = Kept(records, edges, threshold);
        var parent = NewForest(records);
        IReadOnlyDictionary<int, double> penalties = new Dictionary<int, double>();
        if (linkage == ClusterLinkage.ConnectedComponents)
        {
            UnionAll(parent, kept);
        }
        else if (linkage == ClusterLinkage.SizeAware)
        {
            penalties = JoinSizeAware(parent, kept, threshold);
        }
        else
        {
            JoinByLinkage(parent, kept.ToList(), threshold, linkage, pairProbability);
        }

        // The roots are the cluster ids.
        var ids = parent;
        var sizes = ResolveRoots(parent);

        var edgeCounts = new Dictionary<int, long>();
        if (sizes.Any(s => s >= suspiciousSize))
        {
            foreach (var e in kept)
            {
                var c = ids[e.RowA];
                if (sizes[c] >= suspiciousSize && c == ids[e.RowB])
                {
                    edgeCounts[c] = edgeCounts.GetValueOrDefault(c) + 1;
                }
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

        return new ClusterResult(ids, new ClusterMetrics(records, clusters, singletons, largest, dist, suspicious) { SizePenaltyBits = penalties });
    }

    /// <summary>The edges at or above <paramref name="threshold"/>, checked as they are read (each time).</summary>
    private static IEnumerable<Edge> Kept(int records, IEnumerable<Edge> edges, double threshold)
    {
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

            yield return e;
        }
    }

    /// <summary>Sets every record's parent to its root (the smallest row id of its cluster), in place: a parent is never
    /// above its record (the smaller root wins a union), so parent[i] is final once i is reached. Returns each cluster's
    /// size at its root (0 elsewhere).</summary>
    private static int[] ResolveRoots(int[] parent)
    {
        var sizes = new int[parent.Length];
        for (var i = 0; i < parent.Length; i++)
        {
            parent[i] = Find(parent, i);
            sizes[parent[i]]++;
        }

        return sizes;
    }

    private static int[] NewForest(int records)
    {
        var parent = new int[records];
        for (var i = 0; i < records; i++)
        {
            parent[i] = i;
        }

        return parent;
    }

    /// <summary>Confidence of the links whose clusters estimate the size distribution.</summary>
    public const double SizePriorConfidence = 0.99;

    /// <summary>
    /// Extra bits per cluster size from the confident clusters' sizes (<paramref name="sizeDistribution"/>: size →
    /// clusters): with c(k) the number of confident clusters of at least k records (singletons included),
    /// gk = (c(k) + 1) / (c(k−1) + 1) is the rate at which clusters grow from k−1 to k records; the pairwise prior λ is
    /// calibrated on pairs (g2), so forming a cluster of k needs log2(g2 / gk) more bits, never less than for k−1 and
    /// never below 0.
    /// </summary>
    public static IReadOnlyDictionary<int, double> SizePenalties(IReadOnlyDictionary<int, int> sizeDistribution)
    {
        var largest = sizeDistribution.Count == 0 ? 0 : sizeDistribution.Keys.Max();
        var atLeast = new long[largest + 3];
        foreach (var (size, count) in sizeDistribution)
        {
            atLeast[size] += count;
        }

        for (var k = largest; k >= 1; k--)
        {
            atLeast[k] += atLeast[k + 1];
        }

        double Growth(int k) => (atLeast[k] + 1.0) / (atLeast[k - 1] + 1.0);
        var penalties = new Dictionary<int, double>();
        var last = 0.0;
        for (var k = 3; k <= largest + 1; k++)
        {
            last = Math.Max(last, Math.Log2(Growth(2) / Growth(k)));
            if (last > 0)
            {
                penalties[k] = last;
            }
        }

        return penalties;
    }

    /// <summary>
    /// Links strongest first, each needing the extra bits for the size of cluster it would form. A link at or above
    /// the threshold plus the largest penalty is taken whatever came before, and all such links come first in that
    /// order, so they are joined as they are read; only the links below that are held and sorted (the same clusters
    /// as sorting every link).
    /// </summary>
    private static IReadOnlyDictionary<int, double> JoinSizeAware(int[] parent, IEnumerable<Edge> kept, double threshold)
    {
        var penalties = SizePenalties(ConfidentSizes(parent.Length, kept, Math.Max(threshold, SizePriorConfidence)));
        if (penalties.Count == 0)
        {
            UnionAll(parent, kept);
            return penalties;
        }

        var maxSize = penalties.Keys.Max();
        var minWeight = CompiledScorer.WeightOf(threshold);
        var sure = minWeight + penalties[maxSize];
        var size = new int[parent.Length];
        Array.Fill(size, 1);
        void Join(Edge e)
        {
            var ra = Find(parent, e.RowA);
            var rb = Find(parent, e.RowB);
            if (ra == rb)
            {
                return;
            }

            var k = size[ra] + size[rb];
            var extra = k < 3 ? 0 : penalties.GetValueOrDefault(Math.Min(k, maxSize));
            if (e.Weight >= minWeight + extra)
            {
                size[Union(parent, ra, rb)] = k;
            }
        }

        var undecided = new List<Edge>();
        foreach (var e in kept)
        {
            if (e.Weight < sure)
            {
                undecided.Add(e);
            }
            else
            {
                Join(e); // pays any size's penalty
            }
        }

        SortStrongestFirst(undecided, e => e.Weight);
        foreach (var e in undecided)
        {
            Join(e);
        }

        return penalties;
    }

    /// <summary>Cluster sizes (size → clusters, singletons included) of the connected components at <paramref name="confidence"/>.</summary>
    private static Dictionary<int, int> ConfidentSizes(int records, IEnumerable<Edge> kept, double confidence)
    {
        var parent = NewForest(records);
        UnionAll(parent, kept.Where(e => e.Probability >= confidence));
        var sizes = ResolveRoots(parent);
        var dist = new Dictionary<int, int>();
        foreach (var s in sizes)
        {
            if (s > 0)
            {
                dist[s] = dist.GetValueOrDefault(s) + 1;
            }
        }

        return dist;
    }

    private static void JoinByLinkage(int[] parent, List<Edge> kept, double threshold, ClusterLinkage linkage, Func<int, int, double>? pairProbability)
    {
        SortStrongestFirst(kept, e => e.Probability);
        var known = new Dictionary<long, double>(kept.Count);
        foreach (var e in kept)
        {
            known[Key(e.RowA, e.RowB)] = e.Probability;
        }

        var members = new Dictionary<int, List<int>>();
        List<int> MembersOf(int root) => members.TryGetValue(root, out var m) ? m : [root];
        foreach (var e in kept)
        {
            var ra = Find(parent, e.RowA);
            var rb = Find(parent, e.RowB);
            if (ra == rb)
            {
                continue;
            }

            var a = MembersOf(ra);
            var b = MembersOf(rb);
            var score = a.Count * b.Count <= MaxScoredCrossPairs ? pairProbability : null;
            var sum = 0.0;
            var ok = true;
            foreach (var x in a)
            {
                foreach (var y in b)
                {
                    var p = known.TryGetValue(Key(x, y), out var q) ? q : score?.Invoke(x, y) ?? 0;
                    if (linkage == ClusterLinkage.CompleteLinkage && p < threshold)
                    {
                        ok = false;
                        break;
                    }

                    sum += p;
                }

                if (!ok)
                {
                    break;
                }
            }

            if (!ok || (linkage == ClusterLinkage.AverageLinkage && sum / (a.Count * b.Count) < threshold))
            {
                continue;
            }

            var root = Union(parent, ra, rb);
            var merged = new List<int>(a.Count + b.Count);
            merged.AddRange(a);
            merged.AddRange(b);
            members.Remove(ra);
            members.Remove(rb);
            members[root] = merged;
        }
    }

    /// <summary>Descending <paramref name="strength"/>, ties by row ids (a deterministic merge order).</summary>
    private static void SortStrongestFirst(List<Edge> edges, Func<Edge, float> strength) =>
        edges.Sort((x, y) => strength(y) != strength(x) ? strength(y).CompareTo(strength(x)) : x.RowA != y.RowA ? x.RowA.CompareTo(y.RowA) : x.RowB.CompareTo(y.RowB));

    private static void UnionAll(int[] parent, IEnumerable<Edge> edges)
    {
        foreach (var e in edges)
        {
            Union(parent, Find(parent, e.RowA), Find(parent, e.RowB));
        }
    }

    private static long Key(int a, int b) => a < b ? ((long)a << 32) | (uint)b : ((long)b << 32) | (uint)a;

    /// <summary>Joins two roots under the smaller one (the cluster id is the smallest row id); returns it.</summary>
    private static int Union(int[] parent, int ra, int rb)
    {
        if (ra == rb)
        {
            return ra;
        }

        if (ra < rb)
        {
            parent[rb] = ra;
            return ra;
        }

        parent[ra] = rb;
        return rb;
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
