using DataFirst.Core.Profiles;
using DataFirst.Core.Synthetic;

namespace DataFirst.Core.Tests.Profiles;

public sealed class ProfileCatalogTests
{
    [Fact]
    public void LoadBuiltIn_Always_ValidatesAndHoldsEveryContractDataset()
    {
        var catalog = ProfileCatalog.LoadBuiltIn();

        catalog.Names.Should().BeEquivalentTo(ExtractGenerator.AllDatasets);
        foreach (var profile in catalog)
        {
            ProfileValidator.Validate(profile, profile.Name).Should().BeEmpty();
        }
    }

    [Fact]
    public void LoadBuiltIn_PersonLevelDatasets_HaveRowIdAndEveryIdentifierKind()
    {
        var catalog = ProfileCatalog.LoadBuiltIn();

        foreach (var name in ExtractGenerator.PersonLevelDatasets)
        {
            var profile = catalog.Get(name);
            profile.IsPersonLevel.Should().BeTrue(name);
            profile.UniqueIdColumn.Should().Be("row_id");
            profile.FindColumn("row_id")!.Role.Should().Be(ColumnRole.SystemId);
            foreach (var kind in IdentifierKinds.All)
            {
                profile.FindIdentifier(kind).Should().NotBeNull($"{name} declares a {kind} column");
            }

            profile.FindIdentifier(IdentifierKinds.Sex)!.Role.Should().Be(ColumnRole.SpecialCategory);
            profile.Columns.Should().Contain(c => c.Name.EndsWith("ethnicity", StringComparison.Ordinal) && c.Role == ColumnRole.SpecialCategory);
        }

        foreach (var name in ExtractGenerator.AllDatasets.Except(ExtractGenerator.PersonLevelDatasets))
        {
            catalog.Get(name).IsPersonLevel.Should().BeFalse(name);
        }
    }

    [Fact]
    public void LoadBuiltIn_CourtProfiles_HaveTheAgreedColumns()
    {
        var catalog = ProfileCatalog.LoadBuiltIn();
        var mags = catalog.Get("magistrates");
        var crown = catalog.Get("crown_court");

        mags.Columns.Count.Should().BeGreaterThanOrEqualTo(55);
        mags.Columns.Select(c => c.Name).Should().Contain(["row_id", "defendant_id", "case_id", "court_code", "first_listing_date", "hearing_date",
            "offence_code", "offence_group", "sent_to_crown_court", "date_sent_to_crown_court", "outcome", "disposal"]);
        mags.FindColumn("sent_to_crown_court")!.Codes!.Keys.Should().BeEquivalentTo(["Y", "N"]);
        crown.Columns.Select(c => c.Name).Should().Contain(["row_id", "defendant_id", "case_id", "receipt_type", "receipt_date",
            "committing_court_code", "offence_code", "disposal", "sentence_length_days"]);
        crown.FindColumn("committing_court_code")!.Codes.Should().BeEquivalentTo(mags.FindColumn("court_code")!.Codes);
    }

    [Fact]
    public void Load_RepositoryProfilesFolder_MatchesTheEmbeddedCopies()
    {
        var folder = FindRepositoryProfiles();
        if (folder is null)
        {
            return; // Running outside the repository: the embedded copies are all there is.
        }

        var fromDisk = ProfileCatalog.Load(folder);
        var builtIn = ProfileCatalog.LoadBuiltIn();

        fromDisk.Names.Should().BeEquivalentTo(builtIn.Names);
        foreach (var profile in fromDisk)
        {
            builtIn.Get(profile.Name).Columns.Select(c => c.Name).Should().Equal(profile.Columns.Select(c => c.Name));
        }
    }

    [Fact]
    public void Parse_ColumnWithoutRole_ErrorNamesFileAndColumn()
    {
        var json = Profile("""{ "name": "plea", "type": "String", "description": "Plea." }""");

        var act = () => ProfileCatalog.Parse(json, "profiles/test.json");

        var error = act.Should().Throw<ProfileValidationException>().Which;
        error.Errors.Should().ContainSingle(e => e.File == "profiles/test.json" && e.Location == "$.columns[1]" && e.Message.Contains("'plea'") && e.Message.Contains("'role'"));
        error.Message.Should().Contain("profiles/test.json").And.Contain("plea");
    }

    [Fact]
    public void Parse_CategoricalWithoutCodes_ErrorNamesColumn()
    {
        var json = Profile("""{ "name": "plea", "type": "Categorical", "role": "Variable", "description": "Plea." }""");

        var act = () => ProfileCatalog.Parse(json, "x.json");

        act.Should().Throw<ProfileValidationException>().Which.Errors
            .Should().ContainSingle(e => e.Location == "$.columns[1]" && e.Message.Contains("'plea'") && e.Message.Contains("code list"));
    }

    [Fact]
    public void Parse_UnknownIdentifierKind_ErrorListsTheValidKinds()
    {
        var json = Profile("""{ "name": "first_name", "type": "String", "role": "DirectIdentifier", "description": "Name.", "identifierKind": "forename" }""");

        var act = () => ProfileCatalog.Parse(json, "x.json");

        act.Should().Throw<ProfileValidationException>().Which.Errors
            .Should().ContainSingle(e => e.Message.Contains("'first_name'") && e.Message.Contains("forenames, surname"));
    }

    [Fact]
    public void Parse_UniqueIdColumnMissing_ErrorNamesIt()
    {
        var json = Profile("""{ "name": "plea", "type": "String", "role": "Variable", "description": "Plea." }""").Replace("\"uniqueIdColumn\": \"row_id\"", "\"uniqueIdColumn\": \"rowid\"", StringComparison.Ordinal);

        var act = () => ProfileCatalog.Parse(json, "x.json");

        act.Should().Throw<ProfileValidationException>().Which.Errors
            .Should().Contain(e => e.Location == "$.uniqueIdColumn" && e.Message.Contains("rowid"));
    }

    [Fact]
    public void Parse_IdentifierWithWrongRoleAndBadDateFormat_ReportsBoth()
    {
        var json = Profile(
            """{ "name": "dob", "type": "Date", "role": "Variable", "description": "Date of birth.", "identifierKind": "date_of_birth", "format": "qq" }""");

        var act = () => ProfileCatalog.Parse(json, "x.json");

        var errors = act.Should().Throw<ProfileValidationException>().Which.Errors;
        errors.Should().Contain(e => e.Message.Contains("role must be DirectIdentifier"));
        errors.Should().Contain(e => e.Message.Contains("date format"));
    }

    [Fact]
    public void Parse_UnknownProperty_ErrorNamesTheFile()
    {
        var json = Profile("""{ "name": "plea", "type": "String", "role": "Variable", "description": "Plea.", "colour": "red" }""");

        var act = () => ProfileCatalog.Parse(json, "x.json");

        act.Should().Throw<ProfileValidationException>().Which.Errors.Should().ContainSingle(e => e.File == "x.json" && e.Message.Contains("colour"));
    }

    [Fact]
    public void Load_ReferenceToMissingDataset_ErrorNamesColumn()
    {
        var folder = Path.Combine(Path.GetTempPath(), "datafirst-profiles-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "t.json"), Profile(
                """{ "name": "event_id", "type": "String", "role": "SystemId", "description": "Event.", "references": "probation.event_id" }"""));

            var act = () => ProfileCatalog.Load(folder);

            act.Should().Throw<ProfileValidationException>().Which.Errors
                .Should().ContainSingle(e => e.File.EndsWith("t.json", StringComparison.Ordinal) && e.Message.Contains("'event_id'") && e.Message.Contains("probation"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_MissingPath_ThrowsNamingIt()
    {
        var act = () => ProfileCatalog.Load("/no/such/profiles");

        act.Should().Throw<ProfileValidationException>().WithMessage("*/no/such/profiles*");
    }

    private static string Profile(string extraColumn) => $$"""
        {
          "name": "test",
          "title": "Test",
          "description": "A test profile.",
          "sourceSystem": "Tests",
          "uniqueIdColumn": "row_id",
          "columns": [
            { "name": "row_id", "type": "String", "role": "SystemId", "description": "Row id." },
            {{extraColumn}}
          ]
        }
        """;

    private static string? FindRepositoryProfiles()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "profiles");
            if (File.Exists(Path.Combine(candidate, "magistrates.json")))
            {
                return candidate;
            }
        }

        return null;
    }
}
