namespace DataFirst.Core;

/// <summary>
/// CPU-bound loops (blocking, pattern counting, u sampling, scoring) run on at most one worker per core. Parallel.For
/// without a limit takes as many pool threads as the pool will start at once, and the pipeline raises that to 4 per
/// core (<see cref="Pipeline.PipelineServices.ReserveThreads"/>) for the waits of its uploads: with two activities at
/// once, each loop then ran on up to 16 threads on a 2-core machine, each with its own working state, and the stages
/// of a 10 M-person run took 40-50 % longer.
/// </summary>
internal static class CpuParallelism
{
    /// <summary>The workers a loop may use: <paramref name="requested"/> when positive, otherwise one per core.</summary>
    public static int Limit(int requested = -1) => requested > 0 ? requested : Environment.ProcessorCount;

    /// <summary>Options for a loop limited as <see cref="Limit"/> says.</summary>
    public static ParallelOptions Options(int requested = -1) => new() { MaxDegreeOfParallelism = Limit(requested) };
}
