using System.Security.Cryptography;
using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class HmacSha256LanesTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(65)] // longer than a block: the key is hashed first
    [InlineData(100)]
    public void Compute_EveryMessageLength_EqualsThePlatformHmac(int keyLength)
    {
        var random = new Random(keyLength);
        var key = new byte[keyLength];
        random.NextBytes(key);
        var lanes = new HmacSha256Lanes(key);
        var buffer = new byte[HmacSha256Lanes.Lanes * HmacSha256Lanes.MaxMessageBytes];
        var macs = new byte[HmacSha256Lanes.Lanes * HmacSha256Lanes.MacBytes];

        // Every length from 0 to the limit, in every lane position, with lanes left empty in the last group.
        for (var first = 0; first <= HmacSha256Lanes.MaxMessageBytes; first += HmacSha256Lanes.Lanes - 1)
        {
            var count = Math.Min(HmacSha256Lanes.Lanes, HmacSha256Lanes.MaxMessageBytes + 1 - first);
            random.NextBytes(buffer);
            var starts = Enumerable.Range(0, count).Select(l => l * HmacSha256Lanes.MaxMessageBytes).ToArray();
            var lengths = Enumerable.Range(0, count).Select(l => first + l).ToArray();

            lanes.Compute(buffer, starts, lengths, macs);

            for (var l = 0; l < count; l++)
            {
                var expected = HMACSHA256.HashData(key, buffer.AsSpan(starts[l], lengths[l]));
                macs.AsSpan(l * HmacSha256Lanes.MacBytes, HmacSha256Lanes.MacBytes).ToArray().Should().Equal(expected, $"length {lengths[l]} in lane {l}");
            }
        }
    }

    [Fact]
    public void Compute_Rfc4231TestCase2_GivesTheKnownMac()
    {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        var lanes = new HmacSha256Lanes("Jefe"u8);
        var data = "what do ya want for nothing?"u8.ToArray();
        var macs = new byte[HmacSha256Lanes.MacBytes];

        lanes.Compute(data, [0], [data.Length], macs);

        Convert.ToHexStringLower(macs).Should().Be("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    [Fact]
    public void Compute_MessageOverTheLimit_Throws()
    {
        var lanes = new HmacSha256Lanes(new byte[32]);
        var buffer = new byte[HmacSha256Lanes.MaxMessageBytes + 1];

        var act = () => lanes.Compute(buffer, [0], [buffer.Length], new byte[HmacSha256Lanes.MacBytes]);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
