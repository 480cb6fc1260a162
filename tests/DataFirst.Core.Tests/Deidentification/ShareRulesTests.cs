using DataFirst.Core.Deidentification;
using DataFirst.Core.Profiles;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class ShareRulesTests
{
    private static ColumnProfile Col(ColumnRole role, string? kind) =>
        new() { Name = "c", Type = ColumnType.String, Role = role, IdentifierKind = kind, Description = "d" };

    [Theory]
    [InlineData(ColumnRole.DirectIdentifier, "surname", true)]
    [InlineData(ColumnRole.DirectIdentifier, "forenames", true)]
    [InlineData(ColumnRole.DirectIdentifier, "date_of_birth", true)]
    [InlineData(ColumnRole.DirectIdentifier, "address", true)]
    [InlineData(ColumnRole.DirectIdentifier, "postcode", true)]
    [InlineData(ColumnRole.DirectIdentifier, null, true)]
    [InlineData(ColumnRole.DirectIdentifier, "nhs_number", true)]
    [InlineData(ColumnRole.DirectIdentifier, "sex", false)]
    [InlineData(ColumnRole.Variable, "postcode", true)]
    [InlineData(ColumnRole.SpecialCategory, null, false)]
    [InlineData(ColumnRole.SystemId, null, false)]
    [InlineData(ColumnRole.Variable, null, false)]
    public void IsNeverShared_ByRoleAndKind(ColumnRole role, string? kind, bool expected) =>
        ShareRules.IsNeverShared(Col(role, kind)).Should().Be(expected);

    [Fact]
    public void ShareableVariables_IncludeDerivedAgeButNoIdentifier()
    {
        var magistrates = ShareFixture.Profiles()[0];

        ShareRules.ShareableVariables(magistrates).Should().Contain(["sex", "ethnicity", "age_at_event", "case_id"]).And.NotContain(["surname", "date_of_birth"]);
        ShareRules.IsPersonLevel(magistrates).Should().BeTrue();
        ShareRules.IsPersonLevel(ShareFixture.Profiles().Single(p => p.Name == "family_events")).Should().BeFalse();
    }

    [Fact]
    public void SourceColumns_AgeReadsDateOfBirthAndEventDate_EachColumnOnceAsTheProfileSpellsIt()
    {
        var magistrates = ProfileCatalog.LoadBuiltIn().Get("magistrates");

        var columns = ShareRules.SourceColumns(magistrates, ["CASE_ID", "age_at_event", "first_listing_date", "case_id", "no_such_column"]);

        columns.Should().Equal(["case_id", "date_of_birth", "first_listing_date"], "the event date is read once, and a name the profile lacks not at all");
        magistrates.EventDateColumn.Should().Be("first_listing_date");
        ShareRules.DateOfBirthColumn(magistrates)!.Name.Should().Be("date_of_birth");
    }
}
