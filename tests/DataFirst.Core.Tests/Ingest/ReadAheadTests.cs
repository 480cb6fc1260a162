using DataFirst.Core.Ingest;

namespace DataFirst.Core.Tests.Ingest;

public sealed class ReadAheadTests
{
    [Fact]
    public void Enumerate_KeepsEveryItemInOrder_AndRunsTheSourceOnAnotherThread()
    {
        var threads = new HashSet<int>();
        IEnumerable<int> Source()
        {
            for (var i = 0; i < 5000; i++)
            {
                lock (threads)
                {
                    threads.Add(Environment.CurrentManagedThreadId);
                }

                yield return i;
            }
        }

        var items = ReadAhead.Enumerate(Source(), CancellationToken.None, chunkSize: 7, chunks: 2).ToList();

        items.Should().Equal(Enumerable.Range(0, 5000));
        threads.Should().NotContain(Environment.CurrentManagedThreadId);
    }

    [Fact]
    public void Enumerate_SourceFails_ThrowsItsExceptionAfterTheItemsBeforeIt()
    {
        IEnumerable<int> Source()
        {
            for (var i = 0; i < 100; i++)
            {
                yield return i;
            }

            throw new CsvFormatException("x.csv", 101, "x.csv: line 101: a quote is never closed.");
        }

        var seen = new List<int>();
        var act = () =>
        {
            foreach (var item in ReadAhead.Enumerate(Source(), CancellationToken.None, chunkSize: 8))
            {
                seen.Add(item);
            }
        };

        act.Should().Throw<CsvFormatException>().Which.Line.Should().Be(101);
        seen.Should().Equal(Enumerable.Range(0, 100));
    }

    [Fact]
    public void Enumerate_ConsumerStopsEarly_StopsTheSourceBeforeReturning()
    {
        var finished = false;
        IEnumerable<int> Source()
        {
            try
            {
                for (var i = 0; ; i++)
                {
                    yield return i;
                }
            }
            finally
            {
                finished = true;
            }
        }

        var act = () =>
        {
            foreach (var item in ReadAhead.Enumerate(Source(), CancellationToken.None, chunkSize: 4, chunks: 2))
            {
                if (item == 50)
                {
                    throw new InvalidOperationException("the consumer fails");
                }
            }
        };

        act.Should().Throw<InvalidOperationException>();
        finished.Should().BeTrue("the source is disposed before the consumer's exception leaves Enumerate");
    }
}
