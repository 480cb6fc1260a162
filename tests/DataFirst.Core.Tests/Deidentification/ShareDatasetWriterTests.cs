using DataFirst.Core.Deidentification;
using System.Text;
using DataFirst.Core.Pipeline;
using DataFirst.Core.Profiles;
using DataFirst.Core.Synthetic;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class ShareDatasetWriterTests
{
    private readonly IReadOnlyList<DatasetProfile> _profiles = ShareFixture.Profiles();

    private const string Extract =
        "row_id,defendant_id,case_id,forenames,surname,date_of_birth,address,postcode,sex,ethnicity,court_code,first_listing_date,hearing_date,offence_code,offence_group,sent_to_crown_court,date_sent_to_crown_court,outcome,disposal\n" +
        "MR1,MD1,MC1,Zorvax,Quixlox,1990-05-20,\"1 Zel Street, Moxton\",ZQ1 2QX,M,W1,C01,2020-05-01,2020-05-19,TH68001,TH,N,,CONVICTED,=cmd|' /C calc'!A0\n" +
        "MR2,MD1,MC1,Zorvax,Quixlox,1990-05-20,\"1 Zel Street, Moxton\",ZQ1 2QX,M,W1,C01,2020-05-01,20/05/2020,TH68001,TH,N,,CONVICTED,Fine\n" +
        "MR2,MD1,MC1,Zorvax,Quixlox,1990-05-20,\"1 Zel Street, Moxton\",ZQ1 2QX,M,W1,C01,2020-05-01,20/05/2020,TH68001,TH,N,,CONVICTED,Fine\n" +
        "MR3,MD2,MC2,Jevwyn,Krupyx,,\"2 Riq Road\",,F,ZZ,C02,2021-01-01,,CJ88116,CJ,Y,2021-01-08,SENT,-5 days\n";

    private async Task<(ShareDatasetResult Result, string Output)> WriteAsync(string spec, IPersonIdLookup? lookup)
    {
        var parsed = ShareSpec.Parse(spec, _profiles);
        var output = new StringWriter();
        var result = await ShareDatasetWriter.WriteAsync(_profiles[0], parsed, new StringReader(Extract), lookup, new Pseudonymiser(ShareFixture.Key()), output);
        return (result, output.ToString());
    }

    private static readonly PersonIdLookup Lookup = new(new Dictionary<RecordKey, string>
    {
        [new("magistrates", "MR1")] = "pA", [new("magistrates", "MR2")] = "pA", [new("magistrates", "MR3")] = "pB",
    });

    [Fact]
    public async Task WriteAsync_FullSpec_WritesPseudonymsAgeAndNoIdentifier()
    {
        var (result, output) = await WriteAsync(ShareFixture.SpecJson, Lookup);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        lines[0].Should().Be("person_id,row_id,defendant_id,case_id,sex,ethnicity,age_at_event,court_code,first_listing_date,hearing_date,offence_code,offence_group,sent_to_crown_court,date_sent_to_crown_court,outcome,disposal");
        lines.Should().HaveCount(4, "the repeated row MR2 is dropped");
        output.Should().NotContainAny("Zorvax", "Quixlox", "1990-05-20", "Zel Street", "ZQ1 2QX", "MR1", "MD1", "MC1", "Riq Road");
        var p = new Pseudonymiser(ShareFixture.Key());
        lines[1].Should().StartWith($"{p.PersonId("pA")},{p.Pseudonymise("magistrates.row_id", "MR1")},{p.Pseudonymise("defendant_id", "MD1")},{p.Pseudonymise("case_id", "MC1")},M,W1,29,");
        lines[2].Should().Contain(",30,").And.Contain(",2020-05-20,", "dd/MM/yyyy dates are written as ISO");
        lines[1].Should().EndWith(",'=cmd|' /C calc'!A0");
        lines[3].Should().EndWith(",'-5 days").And.Contain(",,C02,", "age is missing without a date of birth");
        lines[1].Split(',')[0].Should().Be(lines[2].Split(',')[0]);

        result.RowsRead.Should().Be(4);
        result.RowsWritten.Should().Be(3);
        result.DuplicateRowsRemoved.Should().Be(1);
        result.CoverageFrom.Should().Be(new DateOnly(2020, 5, 19));
        result.CoverageTo.Should().Be(new DateOnly(2020, 5, 20));
        var eth = result.Variables.Single(v => v.Name == "ethnicity");
        eth.Values!.Select(v => v.Code).Should().Contain(["W1", "NS"]).And.NotContain("ZZ", "a code the profile does not list is withheld, not listed");
        eth.Values!.Single(v => v.Code == "W1").Label.Should().Be("White British");
        eth.Values!.Single(v => v.Code == "NS").Observed.Should().BeFalse();
        eth.Withheld.Should().Be(1);
        lines[3].Should().Contain(",F,,,C02,", "the unlisted ethnicity code is left blank");
        result.Variables.Single(v => v.Name == "age_at_event").PercentMissing.Should().BeApproximately(33.33, 0.01);
        result.Variables.Single(v => v.Name == "age_at_event").Minimum.Should().Be("29");
        result.Variables.Single(v => v.Name == "disposal").Values.Should().BeNull("free text values are never listed");
        result.Variables.Single(v => v.Name == "case_id").Values.Should().BeNull();
    }

    [Fact]
    public async Task WriteAsync_Minimised_WritesOnlyApprovedVariables()
    {
        var spec = """{ "share": "s", "version": "v", "keyId": "k", "datasets": { "magistrates": { "variables": ["court_code"] } }, "outputs": { "caseLinks": false } }""";

        var (_, output) = await WriteAsync(spec, Lookup);

        output.Split('\n')[0].Should().Be("person_id,row_id,court_code");
    }

    [Fact]
    public async Task WriteAsync_RecordWithoutPersonId_IsCounted()
    {
        var (result, _) = await WriteAsync(ShareFixture.SpecJson, new PersonIdLookup(new Dictionary<RecordKey, string> { [new("magistrates", "MR1")] = "pA" }));

        result.RowsWithoutPersonId.Should().Be(2);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(7, 3)]
    [InlineData(500, 2)]
    [InlineData(ShareDatasetWriter.DefaultBatchRows, 4)]
    [InlineData(4096, 8)]
    public async Task WriteAsync_InParallelBatches_WritesWhatOnePassWrites(int batchRows, int parallelism)
    {
        var files = await new ExtractGenerator().GenerateToMemoryAsync(new GeneratorOptions { People = 3000, Seed = 8, Datasets = [ExtractGenerator.Magistrates] }, CancellationToken.None);
        var lines = Encoding.UTF8.GetString(files.Extract(ExtractGenerator.Magistrates)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var extract = string.Join('\n', [.. lines, .. lines.Skip(1).Take(40), .. lines.Skip(2000).Take(3)]) + "\n"; // repeated row ids, dropped
        var profile = PipelineProfiles.Catalog.Get(ExtractGenerator.Magistrates);
        var spec = ShareFixture.EveryShareableVariable(profile, disclosureK: 5);
        var idColumn = Array.IndexOf(lines[0].Split(','), profile.UniqueIdColumn);
        var persons = new PersonIdLookup(lines.Skip(1).Where((_, i) => i % 5 != 0).ToDictionary(l => new RecordKey(profile.Name, l.Split(',')[idColumn]), l => "p" + l.GetHashCode(StringComparison.Ordinal) % 900));

        async Task<(ShareDatasetResult Result, string Text, DatasetDisclosureRisk Risk)> Write(int rows, int threads)
        {
            var risk = new DisclosureRiskCounter(profile, spec.DisclosureK);
            var output = new StringWriter();
            var result = await ShareDatasetWriter.WriteAsync(profile, spec, new StringReader(extract), persons, new Pseudonymiser(ShareFixture.Key()), output, risk, rows, threads, CancellationToken.None);
            return (result, output.ToString(), risk.Result());
        }

        var onePass = await Write(int.MaxValue, 1);
        var batched = await Write(batchRows, parallelism);

        onePass.Result.DuplicateRowsRemoved.Should().Be(43);
        onePass.Result.RowsWithoutPersonId.Should().BeGreaterThan(0);
        onePass.Result.RowsWritten.Should().Be(lines.Length - 1);
        batched.Text.Should().Be(onePass.Text);
        batched.Result.Should().BeEquivalentTo(onePass.Result, o => o.WithStrictOrdering());
        batched.Risk.Should().BeEquivalentTo(onePass.Risk, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task WriteAsync_PaddedQuotedAndLongFields_AreTrimmedQuotedAndCounted()
    {
        var parsed = ShareSpec.Parse("""{ "share": "s", "version": "v", "keyId": "k", "datasets": { "magistrates": { "variables": ["ethnicity", "hearing_date", "disposal", "case_id"] } }, "outputs": { "caseLinks": false } }""", _profiles);
        var longText = string.Concat(Enumerable.Repeat("fine, \"costs\" and more; ", 400)); // past every buffer's first size
        var csv = "forenames,row_id,ethnicity,hearing_date,disposal,case_id\n" +
                  "Zorvax, R1 ,  W1 , 2020-05-19 ,\"  +3 days \", C1 \n" +
                  $"Quixlox,R2,   ,not a date,\"{longText.Replace("\"", "\"\"", StringComparison.Ordinal)}\",\n";
        var output = new StringWriter();

        var result = await ShareDatasetWriter.WriteAsync(_profiles[0], parsed, new StringReader(csv), null, new Pseudonymiser(ShareFixture.Key()), output, null, 1, 2, CancellationToken.None);

        var p = new Pseudonymiser(ShareFixture.Key());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[1].Should().Be($"{p.Pseudonymise("magistrates.row_id", "R1")},W1,2020-05-19,'+3 days,{p.Pseudonymise("case_id", "C1")}");
        lines[2].Should().Be($"{p.Pseudonymise("magistrates.row_id", "R2")},,,\"{longText.Trim().Replace("\"", "\"\"", StringComparison.Ordinal)}\",");
        result.Variables.Single(v => v.Name == "ethnicity").Missing.Should().Be(1, "a blank value is missing");
        result.Variables.Single(v => v.Name == "ethnicity").Values!.Where(v => v.Observed).Select(v => v.Code).Should().Equal("W1");
        result.Variables.Single(v => v.Name == "hearing_date").Minimum.Should().Be("2020-05-19");
        result.Variables.Single(v => v.Name == "hearing_date").Withheld.Should().Be(1, "'not a date' is not written");
        output.ToString().Should().NotContainAny("Zorvax", "Quixlox", "not a date");
    }

    [Theory]
    [InlineData(150)]
    [InlineData(260)]
    public async Task WriteAsync_InBatches_ListsTheSameCodedValues(int distinct)
    {
        // A code list longer than the catalogue lists: codes E0-E299 (E1000 and over are not codes, so withheld).
        var codes = Enumerable.Range(0, 300).ToDictionary(k => $"E{k}", k => $"group {k}");
        var profile = _profiles[0] with { Columns = _profiles[0].Columns.Select(c => c.Name == "ethnicity" ? c with { Codes = codes } : c).ToList() };
        var parsed = ShareSpec.Parse("""{ "share": "s", "version": "v", "keyId": "k", "datasets": { "magistrates": { "variables": ["ethnicity"] } }, "outputs": { "caseLinks": false } }""", [profile]);
        var csv = new StringBuilder("row_id,ethnicity\n");
        for (var i = 0; i < 2000; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"R{i},E{(i * 37 % distinct) + (i % 9 == 0 ? 1000 : 0)}\n");
        }

        async Task<VariableStats> Ethnicity(int rows, int threads) =>
            (await ShareDatasetWriter.WriteAsync(profile, parsed, new StringReader(csv.ToString()), null, new Pseudonymiser(ShareFixture.Key()), new StringWriter(), null, rows, threads, CancellationToken.None)).Variables.Single();

        var onePass = await Ethnicity(int.MaxValue, 1);
        var batched = await Ethnicity(3, 3);

        onePass.ValuesTruncated.Should().Be(distinct > ShareDatasetWriter.MaxListedValues);
        onePass.Values!.Count(v => v.Observed).Should().Be(Math.Min(distinct, ShareDatasetWriter.MaxListedValues));
        onePass.Withheld.Should().Be(223, "every ninth of 2000 rows holds a value that is not a code");
        batched.Should().BeEquivalentTo(onePass, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task WriteAsync_ValuesNotValidForTheirVariable_AreWithheldAndCounted_CodesMatchedIgnoringCase()
    {
        // Free text typed into coded, numeric and date fields (names, a postcode) must not reach the share or its catalogue.
        var profile = _profiles[0] with
        {
            Columns =
            [
                .. _profiles[0].Columns,
                new ColumnProfile { Name = "fine_amount", Type = ColumnType.Decimal, Role = ColumnRole.Variable, Description = "Fine in pounds." },
                new ColumnProfile { Name = "number_of_hearings", Type = ColumnType.Integer, Role = ColumnRole.Variable, Description = "Hearings." },
            ],
        };
        var parsed = ShareSpec.Parse("""{ "share": "s", "version": "v", "keyId": "k", "datasets": { "magistrates": { "variables": ["ethnicity", "hearing_date", "fine_amount", "number_of_hearings"] } }, "outputs": { "caseLinks": false } }""", [profile]);
        var csv = "row_id,ethnicity,hearing_date,fine_amount,number_of_hearings\n" +
                  "R1,w1,2020-05-19,120.50,3\n" +
                  "R2,ZZ see Mr Wtson,Lauren Woolden,SR15 1GA,three (per J Smith)\n" +
                  "R3,,,-40,4.0\n";
        var output = new StringWriter();

        var result = await ShareDatasetWriter.WriteAsync(profile, parsed, new StringReader(csv), null, new Pseudonymiser(ShareFixture.Key()), output);

        var p = new Pseudonymiser(ShareFixture.Key());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[1].Should().Be($"{p.Pseudonymise("magistrates.row_id", "R1")},W1,2020-05-19,120.50,3", "a code in another case is written as the profile's code");
        lines[2].Should().Be($"{p.Pseudonymise("magistrates.row_id", "R2")},,,,");
        lines[3].Should().Be($"{p.Pseudonymise("magistrates.row_id", "R3")},,,-40,4.0", "a negative amount is a number, not a formula; 4.0 is a whole number");
        output.ToString().Should().NotContainAny("Wtson", "Woolden", "SR15", "Smith");
        result.Variables.Select(v => (v.Name, v.Withheld, v.Missing)).Should().Equal(
            ("ethnicity", 1L, 2L), ("hearing_date", 1L, 2L), ("fine_amount", 1L, 1L), ("number_of_hearings", 1L, 1L));
        result.Variables[0].Values!.Where(v => v.Observed).Select(v => v.Code).Should().Equal("W1");
    }

    [Fact]
    public async Task WriteAsync_MissingColumn_ErrorNamesColumn()
    {
        var parsed = ShareSpec.Parse(ShareFixture.SpecJson, _profiles);

        var act = () => ShareDatasetWriter.WriteAsync(_profiles[0], parsed, new StringReader("row_id,court_code\nMR1,C01\n"), Lookup, new Pseudonymiser(ShareFixture.Key()), new StringWriter());

        await act.Should().ThrowAsync<DeidentificationException>().WithMessage("*'defendant_id'*missing*");
    }

    [Fact]
    public async Task WriteAsync_RaggedRow_ErrorNamesLineNumberNotValues()
    {
        var parsed = ShareSpec.Parse("""{ "share": "s", "version": "v", "keyId": "k", "datasets": { "magistrates": { "variables": ["court_code"] } }, "outputs": { "caseLinks": false } }""", _profiles);

        var act = () => ShareDatasetWriter.WriteAsync(_profiles[0], parsed, new StringReader("row_id,court_code\nMR1,C01\nMR2,C01,Zorvax\n"), Lookup, new Pseudonymiser(ShareFixture.Key()), new StringWriter());

        (await act.Should().ThrowAsync<DeidentificationException>()).Which.Message.Should().Contain("line 3").And.NotContain("Zorvax");
    }

    [Fact]
    public async Task WriteAsync_RaggedRowWhileBatchesAreInFlight_ErrorNamesItsLine()
    {
        var parsed = ShareSpec.Parse("""{ "share": "s", "version": "v", "keyId": "k", "datasets": { "magistrates": { "variables": ["court_code"] } }, "outputs": { "caseLinks": false } }""", _profiles);
        var csv = new StringBuilder("row_id,court_code\n");
        for (var i = 0; i < 5000; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"R{i},C{i % 7}{(i == 4321 ? ",Zorvax" : string.Empty)}\n");
        }

        var act = () => ShareDatasetWriter.WriteAsync(_profiles[0], parsed, new StringReader(csv.ToString()), Lookup, new Pseudonymiser(ShareFixture.Key()), new StringWriter(), new DisclosureRiskCounter(_profiles[0], 5), 7, 4, CancellationToken.None);

        (await act.Should().ThrowAsync<DeidentificationException>()).Which.Message.Should().Contain("line 4323").And.NotContain("Zorvax");
    }

    [Fact]
    public async Task WriteAsync_DatasetNotInSpec_IsRefused()
    {
        var parsed = ShareSpec.Parse("""{ "share": "s", "version": "v", "keyId": "k", "datasets": { "prisons": { "variables": "*" } }, "outputs": { "caseLinks": false } }""", _profiles);

        var act = () => ShareDatasetWriter.WriteAsync(_profiles[0], parsed, new StringReader(Extract), Lookup, new Pseudonymiser(ShareFixture.Key()), new StringWriter());

        await act.Should().ThrowAsync<DeidentificationException>().WithMessage("*'magistrates' is not in share 's'*");
    }

    [Fact]
    public async Task WriteAsync_SpecBuiltByHandWithIdentifier_IsStillRefused()
    {
        var spec = ShareSpec.Parse(ShareFixture.SpecJson, _profiles) with
        {
            Datasets = [new ShareDatasetSpec("magistrates", ["surname"])],
        };

        var act = () => ShareDatasetWriter.WriteAsync(_profiles[0], spec, new StringReader(Extract), Lookup, new Pseudonymiser(ShareFixture.Key()), new StringWriter());

        await act.Should().ThrowAsync<DeidentificationException>().WithMessage("*'surname'*personal identifier*");
    }

    [Theory]
    [InlineData("2000-02-29", "2021-02-28", 20)]
    [InlineData("2000-02-29", "2021-03-01", 21)]
    [InlineData("1990-05-20", "2020-05-19", 29)]
    [InlineData("1990-05-20", "2020-05-20", 30)]
    public void AgeInYears_Birthdays_CountWholeYears(string birth, string at, int expected)
    {
        ShareValues.AgeInYears(DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture)).Should().Be(expected);
    }
}
