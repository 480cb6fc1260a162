using DataFirst.Core.Profiles;
using DataFirst.Core.Synthetic;

namespace DataFirst.Core.Tests.Synthetic;

/// <summary>
/// Noise rates are checked against a clean run with the same seed: structure and noise come from
/// separate random streams, so the two runs have the same rows and differ only where noise struck.
/// </summary>
public sealed class IdentityNoiseTests
{
    private const int People = 12_000;
    private static readonly ProfileCatalog Profiles = ProfileCatalog.LoadBuiltIn();

    public static TheoryData<string, string, string[]> SingleKinds => new()
    {
        { "magistrates", nameof(SourceNoise.NameTypo), [IdentifierKinds.Forenames, IdentifierKinds.Surname] },
        { "magistrates", nameof(SourceNoise.NameTransposition), [IdentifierKinds.Forenames, IdentifierKinds.Surname] },
        { "crown_court", nameof(SourceNoise.NameSwap), [IdentifierKinds.Forenames, IdentifierKinds.Surname] },
        { "prisons", nameof(SourceNoise.Alias), [IdentifierKinds.Forenames, IdentifierKinds.Surname] },
        { "probation", nameof(SourceNoise.DobDayMonthSwap), [IdentifierKinds.DateOfBirth] },
        { "family_people", nameof(SourceNoise.DobMistype), [IdentifierKinds.DateOfBirth] },
        { "magistrates", nameof(SourceNoise.MissingDob), [IdentifierKinds.DateOfBirth] },
        { "magistrates", nameof(SourceNoise.StaleAddress), [IdentifierKinds.Address] },
        { "prisons", nameof(SourceNoise.MissingPostcode), [IdentifierKinds.Postcode] },
        { "probation", nameof(SourceNoise.PostcodeTypo), [IdentifierKinds.Postcode] },
        { "family_people", nameof(SourceNoise.MissingForenames), [IdentifierKinds.Forenames] },
        { "crown_court", nameof(SourceNoise.MissingSex), [IdentifierKinds.Sex] },
        { "magistrates", nameof(SourceNoise.MissingAddress), [IdentifierKinds.Address] },
    };

    [Theory]
    [MemberData(nameof(SingleKinds))]
    public async Task GenerateAsync_SingleNoiseKind_RateMetWithinTolerance(string source, string kind, string[] fields)
    {
        const double rate = 0.2;
        var noise = (SourceNoise)typeof(SourceNoise).GetMethod("<Clone>$")!.Invoke(SourceNoise.None, null)!;
        typeof(SourceNoise).GetProperty(kind)!.SetValue(noise, rate);
        var (clean, noisy) = await RunPairAsync(source, noise);

        var measured = ChangedFraction(source, clean, noisy, fields);

        measured.Should().BeApproximately(rate, 0.03, $"{kind} in {source} is configured at {rate}");

        // truth/identity_errors.csv explains every change, and flags nothing else.
        var label = System.Text.RegularExpressions.Regex.Replace(kind, "(?<=[a-z])([A-Z])", "_$1").ToLowerInvariant();
        var flagged = noisy.Read(ExtractGenerator.TruthIdentityErrorsPath).Rows
            .Where(r => r[0] == source).ToDictionary(r => r[1], r => r[2]);
        flagged.Values.Should().OnlyContain(v => v == label);
        ChangedRowIds(source, clean, noisy, fields).Should().BeEquivalentTo(flagged.Keys);
    }

    [Fact]
    public async Task GenerateAsync_NicknameAndPreviousSurname_ApplyOnlyWhereTheyCan()
    {
        var noise = SourceNoise.None with { Nickname = 0.5, PreviousSurname = 0.5 };
        var (clean, noisy) = await RunPairAsync("magistrates", noise);

        var forenames = ChangedFraction("magistrates", clean, noisy, [IdentifierKinds.Forenames]);
        var surnames = ChangedFraction("magistrates", clean, noisy, [IdentifierKinds.Surname]);

        forenames.Should().BeInRange(0.15, 0.5, "half the records of people whose first name has a diminutive");
        surnames.Should().BeInRange(0.01, 0.2, "half the records of people with a previous surname (married women)");
    }

    [Fact]
    public async Task GenerateAsync_DefaultNoise_FiveToFifteenPercentOfRecordsHaveANameOrDobError()
    {
        var clean = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = People, Seed = 21, NoiseScale = 0 });
        var noisy = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = People, Seed = 21 });

        foreach (var source in ExtractGenerator.PersonLevelDatasets)
        {
            var measured = ChangedFraction(source, clean, noisy, [IdentifierKinds.Forenames, IdentifierKinds.Surname, IdentifierKinds.DateOfBirth]);
            measured.Should().BeInRange(0.04, 0.16, $"{source} default noise");
        }

        // Sources differ in quality: family court names are noisier than Crown Court names.
        ChangedFraction("family_people", clean, noisy, [IdentifierKinds.Forenames, IdentifierKinds.Surname])
            .Should().BeGreaterThan(ChangedFraction("crown_court", clean, noisy, [IdentifierKinds.Forenames, IdentifierKinds.Surname]));
    }

    [Fact]
    public void Typo_Always_ChangesTheValue()
    {
        var rng = new Rng(3);
        foreach (var value in new[] { "Ann", "Bo", "Smith", "O'Brien", "X", "Aaron", "Lee" })
        {
            for (var i = 0; i < 200; i++)
            {
                IdentityNoise.Typo(value, rng).Should().NotBe(value);
                IdentityNoise.Transpose(value, rng).Should().NotBe(value);
            }
        }
    }

    [Fact]
    public void Mistype_Always_GivesADifferentValidDate()
    {
        var rng = new Rng(4);
        foreach (var date in new[] { new DateOnly(1990, 1, 1), new DateOnly(2000, 2, 29), new DateOnly(1985, 12, 31) })
        {
            for (var i = 0; i < 200; i++)
            {
                IdentityNoise.Mistype(date, rng).Should().NotBe(date);
            }
        }
    }

    private static async Task<(GeneratedExtracts Clean, GeneratedExtracts Noisy)> RunPairAsync(string source, SourceNoise noise)
    {
        var none = ExtractGenerator.PersonLevelDatasets.ToDictionary(d => d, _ => SourceNoise.None);
        var clean = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = People, Seed = 17, Noise = none, Datasets = [source] });
        var configured = new Dictionary<string, SourceNoise>(none) { [source] = noise };
        var noisy = await GeneratedExtracts.GenerateAsync(new GeneratorOptions { People = People, Seed = 17, Noise = configured, Datasets = [source] });
        return (clean, noisy);
    }

    private static List<string> ChangedRowIds(string source, GeneratedExtracts clean, GeneratedExtracts noisy, string[] kinds)
    {
        var profile = Profiles.Get(source);
        var a = clean.Dataset(source);
        var b = noisy.Dataset(source);
        var columns = kinds.Select(k => a.Col(profile.FindIdentifier(k)!.Name)).ToArray();
        return [.. Enumerable.Range(0, a.Rows.Count).Where(i => columns.Any(c => a.Rows[i][c] != b.Rows[i][c])).Select(i => a.Rows[i][0])];
    }

    private static double ChangedFraction(string source, GeneratedExtracts clean, GeneratedExtracts noisy, string[] kinds)
    {
        var profile = Profiles.Get(source);
        var a = clean.Dataset(source);
        var b = noisy.Dataset(source);
        a.Rows.Count.Should().Be(b.Rows.Count, "noise never changes which rows exist");
        var columns = kinds.Select(k => a.Col(profile.FindIdentifier(k)!.Name)).ToArray();
        var changed = 0;
        for (var i = 0; i < a.Rows.Count; i++)
        {
            a.Rows[i][0].Should().Be(b.Rows[i][0]);
            if (columns.Any(c => a.Rows[i][c] != b.Rows[i][c]))
            {
                changed++;
            }
        }

        return (double)changed / a.Rows.Count;
    }
}
