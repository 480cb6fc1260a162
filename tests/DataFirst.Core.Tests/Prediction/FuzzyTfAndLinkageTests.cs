using DataFirst.Core.Clustering;
using DataFirst.Core.Ingest;
using DataFirst.Core.Prediction;
using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Tests.Prediction;

/// <summary>Term-frequency adjustment on similarity levels, and average / complete linkage clustering.</summary>
public sealed class FuzzyTfAndLinkageTests
{
    private const int Common = 40;

    private static string Settings(bool fuzzyTf, string clustering = "connected_components") => $$"""
    {
      "link_type": "dedupe_only",
      "unique_id_column": "id",
      "comparisons": [
        { "column": "surname", "preset": "name", "tf_adjustment": true, "tf_adjustment_fuzzy": {{(fuzzyTf ? "true" : "false")}} },
        { "column": "dob", "preset": "exact" }
      ],
      "blocking_rules_for_prediction": [["grp"]],
      "deterministic_rules": [["surname", "dob"]],
      "clustering": "{{clustering}}",
      "match_threshold": 0.5
    }
    """;

    /// <summary>Rows 0/1: a common surname and its typo; rows 2/3: a rare surname and its typo; rows 4/5: the common
    /// surname twice; then filler rows carrying the common surname so that it is frequent.</summary>
    private static RecordSet Records(LinkageSettings settings)
    {
        var rows = new List<string?[]>
        {
            new[] { "0", "MUELLER", "1960-01-01", "a" },
            new[] { "1", "MUELLWR", "1960-01-01", "a" },
            new[] { "2", "ZANDER", "1961-02-02", "b" },
            new[] { "3", "ZANDIR", "1961-02-02", "b" },
            new[] { "4", "MUELLER", "1962-03-03", "c" },
            new[] { "5", "MUELLER", "1962-03-03", "c" },
        };
        for (var i = 0; i < Common; i++)
        {
            rows.Add([(100 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), "MUELLER", $"19{10 + i}-05-05", "filler" + i]);
        }

        return new RecordSetBuilder(settings).AddRows(["id", "surname", "dob", "grp"], rows, "people").Build();
    }

    /// <summary>A hand-made model: surname exact m 0.6 u 0.02, Jaro-Winkler ≥ 0.92 m 0.3 u 0.004, ...; dob exact.</summary>
    private static LinkageModel Model(LinkageSettings settings)
    {
        var specs = DataFirst.Core.Comparisons.ComparisonSpec.FromSettings(settings);
        double[][] mu =
        [
            [1, 1, 0.6, 0.02, 0.3, 0.004, 0.05, 0.01, 0.03, 0.05, 0.02, 0.916],
            [1, 1, 0.9, 0.001, 0.1, 0.999],
        ];
        return new LinkageModel
        {
            Settings = settings,
            Lambda = 0.01,
            Comparisons = specs.Select((s, c) => new ComparisonParameters(s.Name, s.Column, s.Levels.Select((l, i) => new LevelParameters(l.Label, l.Type, mu[c][2 * i], mu[c][(2 * i) + 1], l.TfAdjustment)).ToList())).ToList(),
        };
    }

    [Fact]
    public void FuzzyTf_TypoOfCommonNameWeighsLessThanTypoOfRareName()
    {
        var settings = LinkageSettings.Parse(Settings(fuzzyTf: true));
        var set = Records(settings);
        var model = Model(settings);
        var common = PartitionScorer.Explain(set, model, 0, 1);
        var rare = PartitionScorer.Explain(set, model, 2, 3);
        common.Steps[0].LevelLabel.Should().Contain("Jaro-Winkler");
        rare.Steps[0].LevelLabel.Should().Be(common.Steps[0].LevelLabel);

        // log2(u_exact / tf of the more frequent value): MUELLER is 43 of 46 records, ZANDER and ZANDIR 1 each.
        common.Steps[0].TfAdjustment.Should().BeApproximately(Math.Log2(0.02 / (43.0 / 46)), 1e-9);
        rare.Steps[0].TfAdjustment.Should().BeApproximately(Math.Log2(0.02 / (1.0 / 46)), 1e-9);
        rare.MatchWeight.Should().BeGreaterThan(common.MatchWeight + 5);

        // Without the option the two typos weigh the same.
        var plainSettings = LinkageSettings.Parse(Settings(fuzzyTf: false));
        var plainSet = Records(plainSettings);
        var plain = Model(plainSettings);
        PartitionScorer.Explain(plainSet, plain, 0, 1).MatchWeight.Should().BeApproximately(PartitionScorer.Explain(plainSet, plain, 2, 3).MatchWeight, 1e-9);
        PartitionScorer.Explain(plainSet, plain, 0, 1).Steps[0].TfAdjustment.Should().Be(0);
    }

    [Fact]
    public void FuzzyTf_ScoredEdgesEqualTheWaterfall()
    {
        // The scorer's early exit bounds each comparison by its best level including TF; a wrong bound drops pairs.
        var settings = LinkageSettings.Parse(Settings(fuzzyTf: true));
        var set = Records(settings);
        var model = Model(settings);
        var (edges, _) = InMemoryLinker.Predict(set, model, threshold: 1e-6);
        var expected = new[] { (0, 1), (2, 3), (4, 5) }.Select(p => (p, w: PartitionScorer.Explain(set, model, p.Item1, p.Item2).MatchWeight)).ToList();
        foreach (var (p, w) in expected)
        {
            edges.Should().ContainSingle(e => e.RowA == Math.Min(p.Item1, p.Item2) && e.RowB == Math.Max(p.Item1, p.Item2))
                .Which.Weight.Should().BeApproximately((float)w, 1e-4f);
        }
    }

    [Theory]
    [InlineData(ClusterLinkage.ConnectedComponents, 0.1, new[] { 0, 0, 0, 3 })]
    [InlineData(ClusterLinkage.AverageLinkage, 0.1, new[] { 0, 0, 2, 3 })]
    [InlineData(ClusterLinkage.CompleteLinkage, 0.1, new[] { 0, 0, 2, 3 })]
    [InlineData(ClusterLinkage.AverageLinkage, 0.8, new[] { 0, 0, 0, 3 })]
    [InlineData(ClusterLinkage.CompleteLinkage, 0.8, new[] { 0, 0, 0, 3 })]
    [InlineData(ClusterLinkage.CompleteLinkage, 0.45, new[] { 0, 0, 2, 3 })]
    [InlineData(ClusterLinkage.AverageLinkage, 0.45, new[] { 0, 0, 0, 3 })]
    public void Linkage_WeakThirdRecord_JoinsOnlyWhenCrossPairsAgree(ClusterLinkage linkage, double missingPair, int[] expected)
    {
        // 0-1 is a strong pair; 2 links to 1 only (0.6); the pair 0-2 is not an edge and is scored on demand.
        var edges = new[] { new Edge(0, 1, 8, 0.99f), new Edge(1, 2, 0.6f, 0.6f) };
        var asked = new List<(int, int)>();
        double Probability(int a, int b)
        {
            asked.Add((Math.Min(a, b), Math.Max(a, b)));
            return missingPair;
        }

        var c = ConnectedComponents.Cluster(4, edges, 0.5, linkage, Probability);
        c.ClusterIds.Should().Equal(expected);
        if (linkage == ClusterLinkage.ConnectedComponents)
        {
            asked.Should().BeEmpty();
        }
        else
        {
            asked.Should().Equal((0, 2));
        }
    }

    [Fact]
    public void Linkage_ThroughTheLinker_ScoresTheUnblockedPairWithTheModel()
    {
        // 4 and 5 are the same common name and date (strong); 0 is MUELLER with another date and shares no block with
        // 5. An edge 0-4 above the threshold joins 0 by connected components; average linkage scores 0-5 with the
        // model (a weak pair) and keeps 0 apart.
        var settings = LinkageSettings.Parse(Settings(fuzzyTf: true, "average_linkage"));
        var set = Records(settings);
        var model = Model(settings);
        var p05 = PartitionScorer.Explain(set, model, 0, 5).Probability;
        p05.Should().BeLessThan(0.2);
        var edges = new[] { new Edge(4, 5, 10, 0.999f), new Edge(0, 4, 1, 0.7f) };
        InMemoryLinker.Cluster(set, model, null, edges).ClusterIds.Take(6).Should().Equal(0, 1, 2, 3, 4, 4);
        var cc = model with { Settings = settings with { Clustering = "connected_components" } };
        InMemoryLinker.Cluster(set, cc, null, edges).ClusterIds.Take(6).Should().Equal(0, 1, 2, 3, 0, 0);
    }

    /// <summary>Fifty confident pairs (rows 2i, 2i+1), then row 200 linked weakly (weight 2, p 0.8) to row 0.</summary>
    private static List<Edge> PairsAndAWeakLink()
    {
        var edges = new List<Edge>();
        for (var i = 0; i < 50; i++)
        {
            edges.Add(new Edge(2 * i, (2 * i) + 1, 12, 0.9998f));
        }

        edges.Add(new Edge(0, 200, 2, 0.8f));
        return edges;
    }

    [Fact]
    public void SizeAware_WhereConfidentClustersArePairs_AWeakThirdMemberNeedsMoreEvidence()
    {
        var edges = PairsAndAWeakLink();
        var c = ConnectedComponents.Cluster(300, edges, 0.5, ClusterLinkage.SizeAware, null);
        c.ClusterIds[200].Should().Be(200);
        c.ClusterIds[1].Should().Be(0);

        // 250 clusters of which 50 reach 2 and none 3: log2(g2 / g3) = log2((51 / 251) / (1 / 51)) bits.
        c.Metrics.SizePenaltyBits[3].Should().BeApproximately(Math.Log2((51.0 / 251) / (1.0 / 51)), 1e-9);
        c.Metrics.SizePenaltyBits.Values.Should().OnlyContain(v => v >= c.Metrics.SizePenaltyBits[3]);

        ConnectedComponents.ClusterAtThreshold(300, edges, 0.5).ClusterIds[200].Should().Be(0);

        // A link strong enough to pay for the size prior still joins.
        edges[^1] = new Edge(0, 200, 10, 0.999f);
        ConnectedComponents.Cluster(300, edges, 0.5, ClusterLinkage.SizeAware, null).ClusterIds[200].Should().Be(0);
    }

    [Fact]
    public void SizeAware_WherePeopleHaveSeveralRecords_AWeakThirdMemberJoinsAsInConnectedComponents()
    {
        // 60 confident triples (rows 0..179), 20 confident pairs (180..219), 40 singletons (220..259); row 250 links
        // weakly to the pair 180-181. Clusters grow from 2 to 3 more often than from 1 to 2: no penalty for 3.
        var edges = new List<Edge>();
        for (var i = 0; i < 60; i++)
        {
            edges.Add(new Edge(3 * i, (3 * i) + 1, 12, 0.9998f));
            edges.Add(new Edge((3 * i) + 1, (3 * i) + 2, 12, 0.9998f));
        }

        for (var i = 0; i < 20; i++)
        {
            edges.Add(new Edge(180 + (2 * i), 181 + (2 * i), 12, 0.9998f));
        }

        edges.Add(new Edge(180, 250, 2, 0.8f));
        var c = ConnectedComponents.Cluster(260, edges, 0.5, ClusterLinkage.SizeAware, null);
        c.Metrics.SizePenaltyBits.Should().NotContainKey(3).And.ContainKey(4);
        c.ClusterIds[250].Should().Be(180);
        c.ClusterIds.Should().Equal(ConnectedComponents.ClusterAtThreshold(260, edges, 0.5).ClusterIds);
    }
}
