using DataFirst.Core.Ingest;

namespace DataFirst.Core.Tests.Ingest;

public sealed class StandardisersTests
{
    [Theory]
    [InlineData("  mr. José  O'Brien-Smith ", "JOSE OBRIEN SMITH")]
    [InlineData("Dr Zoë", "ZOE")]
    [InlineData("MR", null)]
    [InlineData("", null)]
    public void NameClean_Variants_Standardised(string raw, string? expected) =>
        NameStandardiser.Clean(raw).Should().Be(expected);

    [Fact]
    public void FirstAndOtherNames_MultiPart_Split()
    {
        NameStandardiser.FirstName("Mary-Jane Ann").Should().Be("MARY");
        NameStandardiser.OtherNames("Mary-Jane Ann").Should().Be("JANE ANN");
        NameStandardiser.OtherNames("Mary").Should().BeNull();
    }

    [Theory]
    [InlineData("1980-02-29", "1980-02-29")]
    [InlineData("29/02/1980", "1980-02-29")]
    [InlineData("19800229", "1980-02-29")]
    [InlineData("3 Mar 1975", "1975-03-03")]
    [InlineData("03 March 1975", "1975-03-03")]
    public void Date_AdminFormats_Iso(string raw, string expected)
    {
        DateStandardiser.Standardise(raw, out var bad).Should().Be(expected);
        bad.Should().BeFalse();
    }

    [Theory]
    [InlineData("1981-02-29")]
    [InlineData("31/04/1980")]
    [InlineData("not a date")]
    public void Date_Impossible_NullAndInvalid(string raw)
    {
        DateStandardiser.Standardise(raw, out var bad).Should().BeNull();
        bad.Should().BeTrue();
    }

    [Fact]
    public void Postcode_Normalised_PartsDerived()
    {
        var pc = PostcodeStandardiser.Standardise(" sw1a1aa", out _);
        pc.Should().Be("SW1A 1AA");
        PostcodeStandardiser.Sector(pc!).Should().Be("SW1A 1");
        PostcodeStandardiser.District(pc!).Should().Be("SW1A");
        PostcodeStandardiser.Area(pc!).Should().Be("SW");
        PostcodeStandardiser.Area("M1 1AE").Should().Be("M");
    }

    [Theory]
    [InlineData("male", "M")]
    [InlineData("F", "F")]
    [InlineData("2", "F")]
    [InlineData("unknown", null)]
    public void Sex_Codes_Mapped(string raw, string? expected) =>
        SexStandardiser.Standardise(raw, out _).Should().Be(expected);

    [Theory]
    [InlineData("BOB", "ROBERT", true)]
    [InlineData("BILL", "WILLIAM", true)]
    [InlineData("PEGGY", "MARGARET", true)]
    [InlineData("BOB", "ROBBIE", true)]
    [InlineData("BOB", "WILLIAM", false)]
    public void Nicknames_ShippedTable_Match(string a, string b, bool expected) =>
        Nicknames.AreNicknames(a, b).Should().Be(expected);
}
