using DataFirst.Core.Deidentification;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class ShareSpecTests
{
    private readonly IReadOnlyList<DataFirst.Core.Profiles.DatasetProfile> _profiles = ShareFixture.Profiles();

    [Fact]
    public void Parse_ValidSpec_ReadsDatasetsVariablesAndSettings()
    {
        var spec = ShareSpec.Parse(ShareFixture.SpecJson, _profiles);

        spec.Share.Should().Be("proj-0001");
        spec.Version.Should().Be("v1");
        spec.KeyId.Should().Be("proj0001");
        spec.DisclosureK.Should().Be(5);
        spec.FindDataset("magistrates")!.Variables.Should().StartWith(["defendant_id", "case_id", "sex", "ethnicity", "age_at_event"]);
        spec.IdDomainFor(_profiles.First(p => p.Name == "probation_requirements"), "probation_row_id").Should().Be("probation.row_id");
        spec.IdDomainFor(_profiles.First(p => p.Name == "magistrates"), "row_id").Should().Be("magistrates.row_id");
        spec.IdDomainFor(_profiles.First(p => p.Name == "family_events"), "case_id").Should().Be("case_id");
    }

    [Fact]
    public void Parse_Star_SelectsEveryShareableVariableButNoIdentifier()
    {
        var spec = ShareSpec.Parse(ShareFixture.SpecJson, _profiles);

        spec.FindDataset("prisons")!.Variables.Should().Contain(["prisoner_number", "sex", "ethnicity", "reception_date", "age_at_event"])
            .And.NotContain(["forenames", "surname", "date_of_birth", "address", "postcode"]);
    }

    [Fact]
    public void Parse_UnknownDatasetAndVariable_ErrorNamesThemAndTheirPaths()
    {
        var json = """{ "share": "s1", "version": "v1", "keyId": "k", "datasets": { "courts_x": { "variables": ["a"] }, "magistrates": { "variables": ["court_code", "shoe_size"] } }, "outputs": { "caseLinks": false } }""";

        var act = () => ShareSpec.Parse(json, _profiles);

        var ex = act.Should().Throw<ShareSpecException>().Which;
        ex.Problems.Should().HaveCount(2);
        ex.Message.Should().Contain("$.datasets.courts_x").And.Contain("unknown dataset 'courts_x'")
            .And.Contain("$.datasets.magistrates.variables[1]").And.Contain("unknown variable 'shoe_size'");
    }

    [Theory]
    [InlineData("surname")]
    [InlineData("date_of_birth")]
    [InlineData("postcode")]
    [InlineData("address")]
    [InlineData("forenames")]
    public void Parse_IdentifierRequested_IsRefused(string column)
    {
        var json = $$"""{ "share": "s1", "version": "v1", "keyId": "k", "datasets": { "magistrates": { "variables": ["{{column}}"] } }, "outputs": { "caseLinks": false } }""";

        var act = () => ShareSpec.Parse(json, _profiles);

        act.Should().Throw<ShareSpecException>().WithMessage($"*$.datasets.magistrates.variables[0]*'{column}' is a personal identifier*never written*");
    }

    [Fact]
    public void Parse_MissingFieldsAndBadNames_ReportsEachPath()
    {
        var json = """{ "share": "Bad Name/..", "datasets": {}, "extra": 1 }""";

        var act = () => ShareSpec.Parse(json, _profiles);

        var ex = act.Should().Throw<ShareSpecException>().Which;
        ex.Problems.Should().Contain(p => p.StartsWith("$.share:", StringComparison.Ordinal))
            .And.Contain(p => p.StartsWith("$.version: required", StringComparison.Ordinal))
            .And.Contain(p => p.StartsWith("$.keyId: required", StringComparison.Ordinal))
            .And.Contain(p => p.StartsWith("$.extra: unknown property", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_CaseLinksWithoutCrownCourt_IsRefused()
    {
        var json = """{ "share": "s1", "version": "v1", "keyId": "k", "datasets": { "magistrates": { "variables": ["court_code"] } } }""";

        var act = () => ShareSpec.Parse(json, _profiles);

        act.Should().Throw<ShareSpecException>().WithMessage("*$.outputs.caseLinks*crown_court*");
    }

    [Fact]
    public void Parse_InvalidJson_NamesLine()
    {
        var act = () => ShareSpec.Parse("{ \"share\": ", _profiles);

        act.Should().Throw<ShareSpecException>().WithMessage("*not valid JSON (line 1*");
    }

    [Fact]
    public void Parse_AgeWhereNotDerivable_IsRefused()
    {
        var json = """{ "share": "s1", "version": "v1", "keyId": "k", "datasets": { "family_cases": { "variables": ["age_at_event"] } }, "outputs": { "caseLinks": false } }""";

        var act = () => ShareSpec.Parse(json, _profiles);

        act.Should().Throw<ShareSpecException>().WithMessage("*$.datasets.family_cases.variables[0]*cannot be derived*");
    }

    [Fact]
    public void Parse_IdDomainOnNonSystemColumn_IsRefused()
    {
        var json = """{ "share": "s1", "version": "v1", "keyId": "k", "datasets": { "magistrates": { "variables": ["court_code"] } }, "outputs": { "caseLinks": false }, "idDomains": { "magistrates.court_code": "x", "nope.row_id": "y" } }""";

        var act = () => ShareSpec.Parse(json, _profiles);

        act.Should().Throw<ShareSpecException>().WithMessage("*$.idDomains['magistrates.court_code']*not a SystemId*$.idDomains['nope.row_id']*");
    }

    [Fact]
    public void ExampleSpec_InRepository_ParsesAgainstFixtureProfiles()
    {
        var path = Path.Combine(Architecture.CoreDependencyTests.RepoRoot(), "examples", "share-spec.json");

        var spec = ShareSpec.Parse(File.ReadAllText(path), _profiles);

        spec.Datasets.Should().HaveCountGreaterThan(3);
    }
}
