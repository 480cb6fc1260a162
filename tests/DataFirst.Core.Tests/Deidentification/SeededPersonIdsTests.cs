using System.Security.Cryptography;
using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class SeededPersonIdsTests
{
    [Fact]
    public void Next_GivesTheHmacOfTheCounter_InOrder()
    {
        var seed = SHA256.HashData("person-ids\n7\nshare\n3"u8);
        var ids = new SeededPersonIds(seed);

        // Several lane groups, so refills continue the counter.
        for (var n = 1L; n <= 5 * HmacSha256Lanes.Lanes + 3; n++)
        {
            var expected = "p" + Convert.ToHexStringLower(HMACSHA256.HashData(seed, BitConverter.GetBytes(n)), 0, 12);
            ids.Next().Should().Be(expected, $"id {n}");
        }
    }

    [Fact]
    public void Next_FromSeveralThreads_GivesEachIdOnce()
    {
        var seed = SHA256.HashData("threads"u8);
        var ids = new SeededPersonIds(seed);
        var all = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 1000; i++)
            {
                all.Add(ids.Next());
            }
        });

        var expected = Enumerable.Range(1, 4000).Select(n => "p" + Convert.ToHexStringLower(HMACSHA256.HashData(seed, BitConverter.GetBytes((long)n)), 0, 12));
        all.Should().BeEquivalentTo(expected);
    }
}
