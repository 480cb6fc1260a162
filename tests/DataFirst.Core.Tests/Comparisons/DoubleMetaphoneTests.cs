using DataFirst.Core.Comparisons;

namespace DataFirst.Core.Tests.Comparisons;

public sealed class DoubleMetaphoneTests
{
    [Theory]
    [InlineData("Smith", "SM0", "XMT")]
    [InlineData("Schmidt", "XMT", "SMT")]
    [InlineData("Thompson", "TMSN", "TMSN")]
    [InlineData("Knight", "NT", "NT")]
    [InlineData("Phillips", "FLPS", "FLPS")]
    [InlineData("Thomas", "TMS", "TMS")]
    [InlineData("Michael", "MKL", "MXL")]
    [InlineData("Jose", "HS", "HS")]
    [InlineData("Xavier", "SF", "SFR")]
    [InlineData("Wright", "RT", "RT")]
    [InlineData("Czerny", "SRN", "XRN")]
    [InlineData("Gallegos", "KLKS", "KKS")]
    [InlineData("Hugh", "H", "H")]
    [InlineData("Laugh", "LF", "LF")]
    [InlineData("Caesar", "SSR", "SSR")]
    [InlineData("Chemistry", "KMST", "KMST")]
    [InlineData("Edge", "AJ", "AJ")]
    [InlineData("Filipowicz", "FLPT", "FLPF")]
    [InlineData("o'brien", "APRN", "APRN")]
    public void Encode_TextbookNames_GivePublishedCodes(string name, string primary, string alternate)
    {
        var (p, a) = DoubleMetaphone.Encode(name);
        p.Should().Be(primary);
        a.Should().Be(alternate);
    }

    [Fact]
    public void Encode_NoLetters_Empty() =>
        DoubleMetaphone.Encode("12-").Should().Be(("", ""));

    [Theory]
    [InlineData("Thomson", "Thompson")]
    [InlineData("Catherine", "Kathryn")]
    [InlineData("Stephen", "Steven")]
    [InlineData("Smyth", "Smith")]
    public void Encode_SoundAlikes_SamePrimary(string a, string b) =>
        DoubleMetaphone.Encode(a).Primary.Should().Be(DoubleMetaphone.Encode(b).Primary);

    [Fact]
    public void Encode_LongName_AtMostFourCharacters()
    {
        var (p, a) = DoubleMetaphone.Encode("Wolfeschlegelsteinhausenbergerdorff");
        p.Length.Should().BeLessThanOrEqualTo(4);
        a.Length.Should().BeLessThanOrEqualTo(4);
    }
}
