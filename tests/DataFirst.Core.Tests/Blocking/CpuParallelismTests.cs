using DataFirst.Core.Blocking;
using DataFirst.Core.Pipeline;

namespace DataFirst.Core.Tests.Blocking;

/// <summary>
/// CPU-bound loops stay at one worker per core even when the pipeline has let the thread pool start 4 threads per
/// core at once for its uploads' waits (without the limit each loop took up to that many).
/// </summary>
public sealed class CpuParallelismTests
{
    [Fact]
    public void ForEachRange_AfterThePipelinesThreadReservation_UsesAtMostOneWorkerPerCore()
    {
        PipelineServices.ReserveThreads();
        var blocks = new BlockSet(Enumerable.Range(0, 2000).ToArray(), Enumerable.Range(0, 2001).ToArray());
        var running = 0;
        var most = 0;
        long total = 0;

        PairEnumerator.ForEachRange(
            blocks,
            () => 0L,
            (from, to, sum) =>
            {
                var now = Interlocked.Increment(ref running);
                for (var seen = Volatile.Read(ref most); now > seen && Interlocked.CompareExchange(ref most, now, seen) != seen; seen = Volatile.Read(ref most))
                {
                }

                Thread.Sleep(2);
                Interlocked.Decrement(ref running);
                return sum + (to - from);
            },
            sum => Interlocked.Add(ref total, sum));

        total.Should().Be(2000, "every block is visited once");
        most.Should().BeInRange(1, Environment.ProcessorCount);
    }

    [Fact]
    public void Limit_IsOnePerCoreUnlessAskedForAnother()
    {
        CpuParallelism.Limit().Should().Be(Environment.ProcessorCount);
        CpuParallelism.Limit(-1).Should().Be(Environment.ProcessorCount);
        CpuParallelism.Limit(1).Should().Be(1);
        CpuParallelism.Options().MaxDegreeOfParallelism.Should().Be(Environment.ProcessorCount);
    }
}
