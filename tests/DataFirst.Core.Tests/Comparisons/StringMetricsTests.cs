using DataFirst.Core.Comparisons;

namespace DataFirst.Core.Tests.Comparisons;

public sealed class StringMetricsTests
{
    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.961)]
    [InlineData("DWAYNE", "DUANE", 0.840)]
    [InlineData("DIXON", "DICKSONX", 0.813)]
    [InlineData("ABC", "ABC", 1.0)]
    [InlineData("ABC", "XYZ", 0.0)]
    public void JaroWinkler_TextbookPairs_MatchPublishedValues(string a, string b, double expected) =>
        StringMetrics.JaroWinkler(a, b).Should().BeApproximately(expected, 0.0005);

    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.944)]
    [InlineData("DWAYNE", "DUANE", 0.822)]
    [InlineData("DIXON", "DICKSONX", 0.767)]
    public void Jaro_TextbookPairs_MatchPublishedValues(string a, string b, double expected) =>
        StringMetrics.Jaro(a, b).Should().BeApproximately(expected, 0.0005);

    [Theory]
    [InlineData("KITTEN", "SITTING", 3)]
    [InlineData("FLAW", "LAWN", 2)]
    [InlineData("", "ABC", 3)]
    [InlineData("CA", "AC", 2)]
    public void Levenshtein_KnownPairs_ReturnsDistance(string a, string b, int d) =>
        StringMetrics.Levenshtein(a, b).Should().Be(d);

    [Fact]
    public void Levenshtein_AboveMax_ReturnsMaxPlusOne() =>
        StringMetrics.Levenshtein("KITTEN", "SITTING", 1).Should().Be(2);

    [Theory]
    [InlineData("CA", "AC", 1)]
    [InlineData("1980-01-12", "1980-01-21", 1)]
    [InlineData("KITTEN", "SITTING", 3)]
    public void DamerauLevenshtein_Transpositions_CountOne(string a, string b, int d) =>
        StringMetrics.DamerauLevenshtein(a, b).Should().Be(d);

    [Theory]
    [InlineData("ROBERT", "RUPERT", true)]
    [InlineData("STEPHEN", "STEVEN", true)]
    [InlineData("PHILIP", "FILIP", true)]
    [InlineData("SMITH", "JONES", false)]
    public void PhoneticKey_SoundAlikes_Agree(string a, string b, bool same) =>
        (StringMetrics.PhoneticKey(a) == StringMetrics.PhoneticKey(b)).Should().Be(same);

    [Theory]
    [InlineData("1980-01-12", "1980-01-12", 0)]
    [InlineData("1980-01-12", "1980-01-13", 1)]
    [InlineData("1980-01-12", "1980-01-21", 2)]
    [InlineData("SMITH", "SMYTHE", 2)]
    [InlineData("SMITH", "SMITHS", 1)]
    [InlineData("SMITH", "MITH", 1)]
    [InlineData("SMITH", "SMTH", 1)]
    [InlineData("AB", "BA", 2)]
    [InlineData("ABC", "A", 2)]
    public void Levenshtein_MaxOne_AgreesWithFullDistance(string a, string b, int expected)
    {
        StringMetrics.Levenshtein(a, b, 1).Should().Be(expected);
        Math.Min(StringMetrics.Levenshtein(a, b), 2).Should().Be(expected);
    }
}
