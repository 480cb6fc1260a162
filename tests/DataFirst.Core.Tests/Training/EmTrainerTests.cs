using DataFirst.Core.Settings;
using DataFirst.Core.Training;

namespace DataFirst.Core.Tests.Training;

public sealed class EmTrainerTests
{
    // Known parameters: 3 comparisons, levels [null, exact, fuzzy, else].
    private static readonly double[][] TrueM = [[1, 0.85, 0.10, 0.05], [1, 0.70, 0.20, 0.10], [1, 0.90, 0.06, 0.04]];
    private static readonly double[][] TrueU = [[1, 0.01, 0.04, 0.95], [1, 0.05, 0.10, 0.85], [1, 0.003, 0.02, 0.977]];

    private static PatternHistogram Simulate(double lambda, int pairs, int seed, double nullRate = 0.05)
    {
        var rng = new Random(seed);
        var h = new PatternHistogram(["a", "b", "c"], [4, 4, 4]);
        for (var p = 0; p < pairs; p++)
        {
            var match = rng.NextDouble() < lambda;
            long key = 0;
            for (var c = 0; c < 3; c++)
            {
                var probs = match ? TrueM[c] : TrueU[c];
                var level = 0;
                if (rng.NextDouble() >= nullRate)
                {
                    var x = rng.NextDouble();
                    level = 3;
                    for (var l = 1; l < 4; l++)
                    {
                        if ((x -= probs[l]) < 0)
                        {
                            level = l;
                            break;
                        }
                    }
                }

                key |= (long)level << (4 * c);
            }

            h.Increment(key);
        }

        return h;
    }

    [Fact]
    public void Run_SimulatedFromKnownParameters_RecoversEveryMWithin002()
    {
        var histogram = Simulate(0.2, 200_000, seed: 7);
        var init = Enumerable.Range(0, 3).Select(_ => new[] { 1, 0.8, 0.1, 0.1 }).ToArray();
        var result = EmTrainer.Run(histogram, init, TrueU.Select(x => (IReadOnlyList<double>)x).ToList(), 0.5, new HashSet<int>(), new EmSettings { MaxIterations = 200, ConvergenceThreshold = 1e-7 });

        result.Converged.Should().BeTrue();
        result.Lambda.Should().BeApproximately(0.2, 0.01);
        for (var c = 0; c < 3; c++)
        {
            for (var l = 1; l < 4; l++)
            {
                result.M[c][l].Should().BeApproximately(TrueM[c][l], 0.02, $"m of comparison {c} level {l}");
            }
        }
    }

    [Fact]
    public void Run_MaxIterationsTooLow_ReportsNotConverged()
    {
        var histogram = Simulate(0.2, 20_000, seed: 3);
        var init = Enumerable.Range(0, 3).Select(_ => new[] { 1, 0.4, 0.3, 0.3 }).ToArray();
        var result = EmTrainer.Run(histogram, init, TrueU.Select(x => (IReadOnlyList<double>)x).ToList(), 0.5, new HashSet<int>(), new EmSettings { MaxIterations = 2, ConvergenceThreshold = 1e-9 });
        result.Converged.Should().BeFalse();
        result.Iterations.Should().Be(2);
    }

    [Fact]
    public void Histogram_AddAndJsonRoundTrip_SumsCounts()
    {
        var a = Simulate(0.2, 1000, 1);
        var b = Simulate(0.2, 1000, 2);
        using var ms = new MemoryStream();
        b.WriteTo(ms);
        ms.Position = 0;
        var total = PatternHistogram.Sum([a, PatternHistogram.ReadFrom(ms)]);
        total.TotalPairs.Should().Be(2000);
    }
}
