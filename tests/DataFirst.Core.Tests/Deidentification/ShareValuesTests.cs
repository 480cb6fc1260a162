using System.Globalization;
using DataFirst.Core.Deidentification;
using DataFirst.Core.Tests.Ingest;

namespace DataFirst.Core.Tests.Deidentification;

public sealed class ShareValuesTests
{
    private static readonly string[] Formats = ["yyyy-MM-dd", "dd/MM/yyyy", "yyyyMMdd", "d MMM yyyy", "dd MMM yyyy", "d MMMM yyyy", "d/M/yyyy", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss"];

    [Theory]
    [InlineData("2019-03-25", "2019-03-25")]
    [InlineData(" 25/03/2019 ", "2019-03-25")]
    [InlineData("20190325", "2019-03-25")]
    [InlineData("5/3/2019", "2019-03-05")]
    [InlineData("5 Mar 2019", "2019-03-05")]
    [InlineData("2020-02-29", "2020-02-29")]
    [InlineData("29/02/2020", "2020-02-29")]
    [InlineData("2019-03-25T10:00:00", "2019-03-25")]
    [InlineData("2019-02-29", null)]
    [InlineData("31/04/2019", null)]
    [InlineData("00000101", null)]
    [InlineData("2019-13-01", null)]
    [InlineData("2019-3-05", null)]
    [InlineData("12345678x", null)]
    [InlineData("", null)]
    public void TryParseDate_AdminFormats_AndImpossibleDates(string text, string? expected)
    {
        var ok = ShareValues.TryParseDate(text, out var date);

        (ok ? ShareValues.FormatDate(date) : null).Should().Be(expected);
    }

    [Fact]
    public void TryParseDate_AgreesWithTheGeneralParser_OnDateShapedStrings()
    {
        // The all-digit fast path must answer exactly as DateTime.TryParseExact over every accepted format.
        foreach (var text in DateShapedStrings.Generate(seed: 3, count: 20_000))
        {
            var expected = DateTime.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt) ? DateOnly.FromDateTime(dt) : (DateOnly?)null;
            var actual = ShareValues.TryParseDate(text, out var d) ? d : (DateOnly?)null;
            actual.Should().Be(expected, text);
        }
    }

    [Fact]
    public void FormatDate_IsIsoForEveryDay_AsTheGeneralFormatterWritesIt()
    {
        var rng = new Random(12);
        var days = new[] { DateOnly.MinValue, DateOnly.MaxValue, new DateOnly(999, 1, 9), new DateOnly(2000, 2, 29), new DateOnly(1970, 12, 31) }
            .Concat(Enumerable.Range(0, 20_000).Select(_ => DateOnly.FromDayNumber(rng.Next(DateOnly.MaxValue.DayNumber + 1))));
        foreach (var day in days)
        {
            ShareValues.FormatDate(day).Should().Be(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
