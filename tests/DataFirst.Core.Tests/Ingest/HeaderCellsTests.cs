using DataFirst.Core.Ingest;

namespace DataFirst.Core.Tests.Ingest;

public sealed class HeaderCellsTests
{
    [Theory]
    [InlineData("unique_id,first_name,surname,dob,city,email,cluster")]
    [InlineData("id,FirstName,LastName,DOB")]
    [InlineData("rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode")]
    [InlineData("ID,other")]
    [InlineData("Forename,Family,")]
    [InlineData("Unique ID,First Name,Last Name,Date of Birth,Postcode")]
    public void LookLikeColumnNames_Headers_True(string line) =>
        HeaderCells.LookLikeColumnNames(line.Split(','), []).Should().BeTrue();

    [Theory]
    [InlineData("0,Robert,Alan,1971-06-24,,robert255@smith.net,0")]
    [InlineData("rec-1496-org, mitchell, green, 7, wallaby place")]
    [InlineData("Robert,Smith,London")]
    [InlineData("McDonald,Key,Day")]
    [InlineData("Mary Ann,name")]
    [InlineData("First Name,Mary Ann")]
    [InlineData("name,10 Downing Street")]
    [InlineData("name,Name Smith")]
    [InlineData("name,O'Brien")]
    [InlineData("name,robert255")]
    [InlineData("name,24/06/1971")]
    [InlineData("")]
    public void LookLikeColumnNames_DataOrNoEvidence_False(string line) =>
        HeaderCells.LookLikeColumnNames(line.Split(','), []).Should().BeFalse();

    [Fact]
    public void LookLikeColumnNames_AnAskedName_IsEvidence()
    {
        HeaderCells.LookLikeColumnNames(["Vorname", "Nachname"], ["vor_name"]).Should().BeTrue();
        HeaderCells.LookLikeColumnNames(["Vorname", "Nachname"], ["name"]).Should().BeFalse();
    }
}
