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

    /// <summary>
    /// Runs a parallel loop so that a worker's <see cref="Settings.LinkageException"/> (a block above max_block_size,
    /// u sampling that finds no pairs...) reaches the caller as itself, not inside the loop's AggregateException:
    /// callers and the CLI then report its message on one line. Other failures keep their AggregateException.
    /// </summary>
    public static void Run(Action loop)
    {
        try
        {
            loop();
        }
        catch (AggregateException ex)
        {
            if (ex.Flatten().InnerExceptions.FirstOrDefault(e => e is Settings.LinkageException) is { } inner)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
            }

            throw;
        }
    }
}
