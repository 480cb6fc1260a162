using System.Security.Cryptography;
using System.Text;
using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class PseudonymiserTests
{
    [Fact]
    public void Pseudonymise_SameKeyDomainValue_IsStable()
    {
        var a = new Pseudonymiser(ShareFixture.Key()).Pseudonymise("case_id", "MC000001");
        var b = new Pseudonymiser(ShareFixture.Key()).Pseudonymise("case_id", "MC000001");

        a.Should().Be(b).And.MatchRegex("^[0-9a-f]{32}$");
    }

    [Fact]
    public void Pseudonymise_DifferentKeys_CannotBeJoined()
    {
        var a = new Pseudonymiser(ShareFixture.Key(1)).Pseudonymise("case_id", "MC000001");
        var b = new Pseudonymiser(ShareFixture.Key(2)).Pseudonymise("case_id", "MC000001");

        a.Should().NotBe(b);
    }

    [Fact]
    public void Pseudonymise_DifferentDomains_Differ()
    {
        var p = new Pseudonymiser(ShareFixture.Key());

        p.Pseudonymise("magistrates.row_id", "1").Should().NotBe(p.Pseudonymise("crown_court.row_id", "1"));
    }

    [Fact]
    public void Pseudonymise_IsKeyedHmacNotAPlainHash()
    {
        var key = ShareFixture.Key();
        var p = new Pseudonymiser(key);
        var plain = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("case_id\0MC000001")))[..32];
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Enumerable.Range(0, 32).Select(i => (byte)(i * 13 + 7)).ToArray(), Encoding.UTF8.GetBytes("case_id\0MC000001")))[..32];

        var actual = p.Pseudonymise("case_id", "MC000001");

        actual.Should().Be(expected).And.NotBe(plain);
    }

    [Fact]
    public void Pseudonymise_Missing_StaysMissing()
    {
        new Pseudonymiser(ShareFixture.Key()).Pseudonymise("case_id", string.Empty).Should().BeEmpty();
    }

    [Fact]
    public void Pseudonymise_LongValue_Works()
    {
        var p = new Pseudonymiser(ShareFixture.Key());

        p.Pseudonymise("d", new string('x', 5000)).Should().HaveLength(32);
    }

    [Fact]
    public void Pseudonymise_ManyValues_FromManyThreads_EqualTheOneShotHmac()
    {
        // The keyed HMAC is kept and reset between values and handed between threads: every pseudonym must still be
        // HMAC-SHA256(key, domain ‖ 0 ‖ trimmed value) of its own value, however calls interleave.
        var keyBytes = Enumerable.Range(0, 32).Select(i => (byte)(i * 13 + 7)).ToArray();
        var p = new Pseudonymiser(ShareFixture.Key());
        var values = Enumerable.Range(0, 4000).Select(i => i % 7 == 0 ? $"  V{i}  " : $"V{i}\u00e9{new string('x', i % 300)}").ToArray();
        string Expected(string v) => Convert.ToHexStringLower(HMACSHA256.HashData(keyBytes, Encoding.UTF8.GetBytes("d\0" + v.Trim())))[..32];

        var actual = new string[values.Length];
        Parallel.For(0, values.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = p.Pseudonymise("d", values[i]));

        actual.Should().Equal(values.Select(Expected));
    }

    [Fact]
    public void PseudonymiseMany_EqualsOneByOne_ForEveryLengthAroundTheLaneLimit()
    {
        // Domain, separator and value fill 1 to 70 bytes: one SIMD block up to 55, the one-by-one HMAC above; non-ASCII
        // values (2 and 4 bytes a character), padding to trim, missing and whitespace-only values, a count that is
        // not a multiple of the lanes.
        var p = new Pseudonymiser(ShareFixture.Key());
        var values = new List<string> { string.Empty, "   ", " padded ", "\u00e9t\u00e9", "\ud83d\ude00x" };
        for (var length = 0; length <= 68; length++)
        {
            values.Add(new string((char)('a' + (length % 26)), length));
            values.Add(string.Concat(Enumerable.Repeat("\u00e9", length / 2)) + (length % 2 == 0 ? string.Empty : "z"));
        }

        values.Add("tail");
        var actual = new string[values.Count];

        p.PseudonymiseMany("d", values.ToArray(), actual);

        actual.Should().Equal(values.Select(v => p.Pseudonymise("d", v)));
    }

    [Fact]
    public void PseudonymiseMany_LongDomain_EqualsOneByOne()
    {
        var p = new Pseudonymiser(ShareFixture.Key());
        var domain = new string('m', 60);
        string[] values = ["1", "22", string.Empty];
        var actual = new string[values.Length];

        p.PseudonymiseMany(domain, values, actual);

        actual.Should().Equal(values.Select(v => p.Pseudonymise(domain, v)));
    }

    [Fact]
    public void PseudonymiseMany_ShortOutput_Throws()
    {
        var p = new Pseudonymiser(ShareFixture.Key());

        var act = () => p.PseudonymiseMany("d", new[] { "a", "b" }, new string[1]);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
