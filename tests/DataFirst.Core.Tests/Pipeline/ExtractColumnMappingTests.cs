using DataFirst.Core.Pipeline;

namespace DataFirst.Core.Tests.Pipeline;

public sealed class ExtractColumnMappingTests
{
    [Fact]
    public void ToCanonical_MapsTheProfilesIdentifiers_AndLeavesTheIdOutWhenTheCallerHoldsIt()
    {
        var header = "row_id,prison_number,booking_id,establishment_code,first_names,last_name,birth_date,gender,ethnicity,age_at_reception,last_known_address,last_known_postcode,reception_date".Split(',');
        var mapping = ExtractColumnMapping.Create(PipelineProfiles.Get("prisons", "prisons.csv"), header);
        var row = " 17 ,A1234BC,B9,HMP1,Ann Marie,Smith,1980-01-02,F,W1,40,1 High St,SW1A 1AA,2020-05-06".Split(',');

        var canonical = mapping.ToCanonical(row);
        var withoutId = mapping.ToCanonical(row, withUniqueId: false);

        mapping.MissingColumns.Should().BeEmpty();
        canonical.Should().Equal("17", "prisons", "Ann Marie", "Smith", "1980-01-02", "1 High St", "SW1A 1AA", "F");
        withoutId.Should().Equal([null, .. canonical.Skip(1)]);
    }
}
