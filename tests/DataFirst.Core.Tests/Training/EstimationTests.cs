using DataFirst.Core.Training;

namespace DataFirst.Core.Tests.Training;

public sealed class EstimationTests
{
    // Fixed values: u sampling must draw the same pairs in every process (HashCode.Combine is randomised per process,
    // so a seed built with it would pass an in-process comparison and still differ between runs).
    [Theory]
    [InlineData(42, 0, 1051451323)]
    [InlineData(42, 1, 1616377404)]
    [InlineData(7, 3, 608795752)]
    public void ChunkSeed_SeedAndChunk_FixedValueInEveryProcess(int seed, int chunk, int expected) =>
        Estimation.ChunkSeed(seed, chunk).Should().Be(expected);
}
