using System.Text;
using DataFirst.Core.Ingest;
using DataFirst.Core.Settings;

namespace DataFirst.Core.Tests.Ingest;

/// <summary>How the builder reads a CSV input it cannot take: errors name the input and line, never a value.</summary>
public sealed class RecordSetBuilderTests
{
    private static readonly LinkageSettings Settings = Tests.Settings.LinkageSettingsTests.ForenameAndDob();

    private static RecordSetBuilder Add(string csv, string label = "a.csv") =>
        new RecordSetBuilder(Settings).AddCsv(new StringReader(csv), "a", label);

    [Fact]
    public void AddCsv_FileWithoutHeaderRow_MissingColumnError_DoesNotEchoTheFirstLine()
    {
        var act = () => Add("7,Robert,1971-06-24,robert255@smith.net\n8,Ann,1980-01-02,ann@x.org\n");

        act.Should().Throw<DataException>()
            .WithMessage("input 'a.csv': column 'id' (unique_id_column) is missing; its first line has 4 cell(s) that do not all look like column names, so they are not shown: it may be data rather than a header*")
            .Which.Message.Should().NotContain("Robert").And.NotContain("1971").And.NotContain("robert255");
    }

    [Fact]
    public void AddCsv_FirstLineOfPlainWords_IsNotEchoedEither()
    {
        // Every cell has a column name's shape, but none is evidence of a header (no asked name, no underscore, no
        // field word): a record of names and a town.
        var act = () => Add("Robert,Smith,London\nAnn,Jones,Leeds\n");

        act.Should().Throw<DataException>().Which.Message.Should().NotContain("Robert").And.NotContain("Smith").And.Contain("3 cell(s)");
    }

    [Fact]
    public void AddCsv_HeaderLackingAColumn_NamesTheHeaderColumns()
    {
        var act = () => Add("id,FirstName,date_of_birth\n1,Bob,1980-01-02\n");

        act.Should().Throw<DataException>().WithMessage("input 'a.csv': column 'forename' (source of standardised column 'forename') is missing; its header has: id, FirstName, date_of_birth. Fix the settings or the input.");
    }

    [Fact]
    public void AddCsv_RowWithMoreFieldsThanTheHeader_FailsNamingTheLineAndCounts()
    {
        var act = () => Add("id,forename,dob\n1,Bob,1980-01-02\n2,Ann,Smith,1981-01-02\n");

        act.Should().Throw<DataException>().WithMessage("input 'a.csv' line 3: 4 fields, expected 3 (as in the header).")
            .Which.Message.Should().NotContain("Ann");
    }

    [Fact]
    public void AddCsv_BytesThatAreNotUtf8_FailNamingTheLine_InsteadOfComparingEqual()
    {
        // Latin-1 "François" / "Mäller" and "Müller": decoded as UTF-8 each accented letter became U+FFFD.
        var latin1 = Encoding.Latin1.GetBytes("id,forename,dob\n1,Fran\u00e7ois,1980-01-02\nx\u00e9,M\u00e4ller,1981-01-02\n");
        using var reader = new StreamReader(new MemoryStream(latin1), Encoding.UTF8);

        var act = () => new RecordSetBuilder(Settings).AddCsv(reader, "a", "a.csv");

        act.Should().Throw<DataException>().WithMessage("input 'a.csv' line 2: bytes that are not valid UTF-8 (re-save the file as UTF-8).");
    }

    [Fact]
    public void AddCsv_HeaderThatIsNotUtf8_FailsOnLine1()
    {
        var latin1 = Encoding.Latin1.GetBytes("id,forename,dob,n\u00e9e\n1,Bob,1980-01-02,x\n");
        using var reader = new StreamReader(new MemoryStream(latin1), Encoding.UTF8);

        var act = () => new RecordSetBuilder(Settings).AddCsv(reader, "a", "a.csv");

        act.Should().Throw<DataException>().WithMessage("input 'a.csv' line 1: bytes that are not valid UTF-8*");
    }

    [Fact]
    public void AddCsv_IdRepeatedInAnEarlierInput_NamesBothInputs()
    {
        const string csv = "id,forename,dob\n1,Bob,1980-01-02\n2,Ann,1981-01-02\n";
        var builder = new RecordSetBuilder(Settings).AddCsv(new StringReader(csv), "people", "a.csv");

        var sameFile = () => builder.AddCsv(new StringReader(csv), "people", "a.csv");
        sameFile.Should().Throw<DataException>().WithMessage("input 'a.csv' line 2: duplicate unique id in column 'id' for source dataset 'people' (first seen in input 'a.csv' line 2, an earlier input of the same name: is the same file given twice?)*");

        var other = new RecordSetBuilder(Settings).AddCsv(new StringReader(csv), "people", "a.csv");
        var otherFile = () => other.AddCsv(new StringReader("id,forename,dob\n3,Cy,\n2,Di,\n"), "people", "b/a.csv");
        otherFile.Should().Throw<DataException>().WithMessage("input 'b/a.csv' line 3: *(first seen in input 'a.csv' line 3)*");
    }

    [Fact]
    public void Build_SourceDatasetColumnOfManyValues_WarnsAndTheSummaryOnlyCountsThem()
    {
        var settings = Settings with { SourceDatasetColumn = "surname" };
        var csv = "id,forename,dob,surname\n" + string.Concat(Enumerable.Range(0, 21).Select(i => $"{i},Bob,1980-01-02,Name{(char)('a' + i)}\n"));

        var report = new RecordSetBuilder(settings).AddCsv(new StringReader(csv), "a").Build().Report!;

        report.DatasetSummary().Should().Be("21 source datasets, not named");
        report.Warnings.Should().ContainSingle(w => w.StartsWith("source_dataset_column 'surname' has 21 distinct values, too many", StringComparison.Ordinal))
            .Which.Should().NotContain("Namea");
    }

    [Fact]
    public void Build_FewSourceDatasets_AreNamedWithoutAWarning()
    {
        var settings = Settings with { SourceDatasetColumn = "src" };
        var csv = "id,forename,dob,src\n1,Bob,1980-01-02,gp\n2,Ann,,hospital\n3,Cy,,gp\n";

        var report = new RecordSetBuilder(settings).AddCsv(new StringReader(csv), "a").Build().Report!;

        report.DatasetSummary().Should().Be("gp 2, hospital 1");
        report.Warnings.Should().NotContain(w => w.Contains("source_dataset_column", StringComparison.Ordinal));
    }
}
