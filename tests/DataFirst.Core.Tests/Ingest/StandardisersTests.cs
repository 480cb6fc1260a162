using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

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

    [Fact]
    public void Date_AgreesWithTheGeneralParser_OnDateShapedStrings()
    {
        // The standardiser reads the all-digit shapes without the general parser: it must still answer as
        // TryParseExact over its formats (then the 1850–2100 range) does.
        string[] formats =
        [
            "yyyy-MM-dd", "yyyy-M-d", "dd/MM/yyyy", "d/M/yyyy", "yyyyMMdd", "d MMM yyyy", "dd MMM yyyy", "d MMMM yyyy", "dd-MM-yyyy", "d-M-yyyy",
            "yyyy/MM/dd", "dd.MM.yyyy", "d-MMM-yyyy", "dd-MMM-yyyy", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss", "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm",
        ];
        foreach (var text in DateShapedStrings.Generate(seed: 4, count: 20_000))
        {
            var expected = DateTime.TryParseExact(text, formats, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AllowWhiteSpaces, out var dt)
                && dt.Year is >= 1850 and <= 2100
                ? dt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
                : null;
            DateStandardiser.Standardise(text, out var bad).Should().Be(expected, text);
            bad.Should().Be(expected is null, text);
        }
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
    public void Year_OfADateInAnyAdminFormat_ImpossibleDatesNulledAndCounted_AndBlocksARecordSet()
    {
        Standardiser.Apply(StandardiseKind.Year, "29/02/1980", out var bad).Should().Be("1980");
        bad.Should().BeFalse();
        Standardiser.Apply(StandardiseKind.Year, "3 Mar 1975", out _).Should().Be("1975");
        Standardiser.Apply(StandardiseKind.Year, "31/04/1980", out bad).Should().BeNull();
        bad.Should().BeTrue();
        Standardiser.Apply(StandardiseKind.Year, " ", out bad).Should().BeNull();
        bad.Should().BeFalse();

        // Declared in settings JSON as "year" and used only by a blocking rule.
        var json = Tests.Settings.LinkageSettingsTests.Minimal
            .Replace("\"comparisons\"", "\"columns\": [{ \"name\": \"birth_year\", \"source\": \"dob\", \"standardise\": \"year\" }, { \"name\": \"dob\", \"standardise\": \"date\" }],\n  \"comparisons\"", StringComparison.Ordinal)
            .Replace("[[\"dob\"], [\"forename\"]]", "[[\"forename\", \"birth_year\"]]", StringComparison.Ordinal);
        var set = new RecordSetBuilder(LinkageSettings.Parse(json)).AddCsv(new StringReader("id,forename,dob\n1,Ann,1980-01-02\n2,Ann,02/03/1980\n3,Ann,31/04/1980\n"), "a").Build();

        set.Report!.Columns.Single(c => c.Column == "birth_year").Should().Match<ColumnReport>(c => c.Distinct == 1 && c.InvalidNulled == 1);
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
