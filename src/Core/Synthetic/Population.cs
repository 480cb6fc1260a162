using System.Globalization;
using static DataFirst.Core.Synthetic.ReferenceData;

namespace DataFirst.Core.Synthetic;

internal sealed record Address(string Line, string Postcode);

/// <summary>A simulated person: their true identity, homes over time and the system ids they accrue.</summary>
internal sealed class Person
{
    public required long Id { get; init; }

    public required char Sex { get; init; }

    public required string FirstName { get; init; }

    public string? MiddleNames { get; init; }

    public required string Surname { get; set; }

    /// <summary>A surname used before (maiden name): older records may carry it.</summary>
    public string? PreviousSurname { get; set; }

    public required DateOnly DateOfBirth { get; init; }

    public required string Ethnicity { get; init; }

    public required Region Region { get; init; }

    public bool IsChild { get; init; }

    /// <summary>Homes with the date each began, in date order; the first applies from birth.</summary>
    public List<(DateOnly From, Address Address)> Homes { get; } = [];

    public string? PrisonNumber { get; set; }

    public string? Crn { get; set; }

    public string Forenames => MiddleNames is null ? FirstName : $"{FirstName} {MiddleNames}";

    public string PersonKey => "P" + Id.ToString(CultureInfo.InvariantCulture);

    public Address AddressAt(DateOnly date)
    {
        var current = Homes[0].Address;
        for (var i = 1; i < Homes.Count; i++)
        {
            if (Homes[i].From <= date)
            {
                current = Homes[i].Address;
            }
        }

        return current;
    }

    /// <summary>A home the person did not live in at <paramref name="date"/>, if the simulation gave them one.</summary>
    public Address? OtherAddressThan(DateOnly date)
    {
        var current = AddressAt(date);
        for (var i = Homes.Count - 1; i >= 0; i--)
        {
            if (!ReferenceEquals(Homes[i].Address, current) && Homes[i].Address != current)
            {
                return Homes[i].Address;
            }
        }

        return null;
    }

    public int AgeAt(DateOnly date)
    {
        var age = date.Year - DateOfBirth.Year;
        if (date < DateOfBirth.AddYears(age))
        {
            age--;
        }

        return age;
    }
}

internal enum HouseholdKind
{
    Single,
    Couple,
    Family,
}

internal sealed class Household
{
    public required HouseholdKind Kind { get; init; }

    public required Region Region { get; init; }

    public List<Person> Adults { get; } = [];

    public List<Person> Children { get; } = [];

    public IEnumerable<Person> Members => Adults.Concat(Children);
}

/// <summary>Draws people, names, dates of birth and addresses with realistic skews.</summary>
internal sealed class PopulationBuilder
{
    private static readonly Weighted<string> Male = Weighted<string>.Zipf(NameData.MaleForenames, 0.9);
    private static readonly Weighted<string> Female = Weighted<string>.Zipf(NameData.FemaleForenames, 0.9);
    private static readonly Weighted<string> Common = new(NameData.CommonSurnames.Select(s => (s.Name, s.Share)));
    private static readonly Weighted<string> Prefix = Weighted<string>.Zipf(NameData.SurnamePrefixes, 0.35);
    private static readonly Weighted<string> Suffix = Weighted<string>.Zipf(NameData.SurnameSuffixes, 0.35);
    private static readonly double CommonShare = NameData.CommonSurnames.Sum(s => s.Share);

    public static string DrawSurname(Rng rng) =>
        rng.NextDouble() < CommonShare ? Common.Pick(rng) : Prefix.Pick(rng) + Suffix.Pick(rng);

    public static string DrawForename(Rng rng, char sex) => sex == 'M' ? Male.Pick(rng) : Female.Pick(rng);

    public static string? DrawMiddle(Rng rng, char sex, string first)
    {
        if (!rng.Chance(0.55))
        {
            return null;
        }

        for (var attempt = 0; attempt < 4; attempt++)
        {
            var middle = DrawForename(rng, sex);
            if (middle != first)
            {
                return rng.Chance(0.06) ? $"{middle} {DrawForename(rng, sex)}" : middle;
            }
        }

        return null;
    }

    public static Address DrawAddress(Rng rng, Region region)
    {
        var town = rng.Pick(region.Towns);
        var street = $"{rng.Pick(NameData.StreetNames)} {rng.Pick(NameData.StreetTypes)}";
        var number = rng.Between(1, 180).ToString(CultureInfo.InvariantCulture);
        var line = rng.Chance(0.15)
            ? $"Flat {rng.Between(1, 24).ToString(CultureInfo.InvariantCulture)}, {number} {street}, {town}"
            : $"{number} {street}, {town}";
        var area = rng.Pick(region.PostcodeAreas);
        var letters = NameData.PostcodeUnitLetters;
        var postcode = string.Create(CultureInfo.InvariantCulture,
            $"{area}{rng.Between(1, 29)} {rng.Between(0, 9)}{letters[rng.Next(letters.Length)]}{letters[rng.Next(letters.Length)]}");
        return new Address(line, postcode);
    }

    public static DateOnly DrawDate(Rng rng, DateOnly from, DateOnly to)
    {
        var span = to.DayNumber - from.DayNumber;
        return span <= 0 ? from : DateOnly.FromDayNumber(from.DayNumber + rng.Next(span + 1));
    }

    /// <summary>A household of at most <paramref name="maxPeople"/> people, ids from <paramref name="nextId"/>.</summary>
    public static Household BuildHousehold(Rng rng, int maxPeople, ref long nextId)
    {
        var roll = rng.NextDouble();
        var kind = maxPeople == 1 || roll < 0.42 ? HouseholdKind.Single : roll < 0.60 ? HouseholdKind.Couple : HouseholdKind.Family;
        var region = RegionWeights.Pick(rng);
        var household = new Household { Kind = kind, Region = region };
        var home = DrawAddress(rng, region);
        var ethnicity = ReferenceData.Ethnicity.Pick(rng);
        var surname = DrawSurname(rng);
        var id = nextId;

        Person NewPerson(char sex, DateOnly dob, string personSurname, bool child) => new()
        {
            Id = id++,
            Sex = sex,
            FirstName = DrawForename(rng, sex),
            Surname = personSurname,
            DateOfBirth = dob,
            Ethnicity = rng.Chance(0.9) ? ethnicity : ReferenceData.Ethnicity.Pick(rng),
            Region = region,
            IsChild = child,
            MiddleNames = null,
        };

        Person WithMiddle(Person p) => new()
        {
            Id = p.Id, Sex = p.Sex, FirstName = p.FirstName, MiddleNames = DrawMiddle(rng, p.Sex, p.FirstName), Surname = p.Surname,
            DateOfBirth = p.DateOfBirth, Ethnicity = p.Ethnicity, Region = p.Region, IsChild = p.IsChild,
        };

        DateOnly AdultDob() => DrawDate(rng, new DateOnly(1955, 1, 1), new DateOnly(2003, 12, 31)) is var d && rng.Chance(0.5)
            ? DrawDate(rng, new DateOnly(1980, 1, 1), new DateOnly(2003, 12, 31))
            : d;

        switch (kind)
        {
            case HouseholdKind.Single:
                household.Adults.Add(WithMiddle(NewPerson(rng.Chance(0.78) ? 'M' : 'F', AdultDob(), surname, false)));
                break;
            default:
                {
                    var lone = kind == HouseholdKind.Family && rng.Chance(0.3);
                    var manDob = AdultDob();
                    Person? man = lone ? null : WithMiddle(NewPerson('M', manDob, surname, false));
                    var womanDob = DrawDate(rng, manDob.AddYears(-6), manDob.AddYears(4));
                    if (womanDob > new DateOnly(2003, 12, 31))
                    {
                        womanDob = new DateOnly(2003, 12, 31).AddDays(-rng.Next(3000));
                    }

                    var married = man is not null && rng.Chance(0.65);
                    var woman = WithMiddle(NewPerson('F', womanDob, married || man is null ? surname : DrawSurname(rng), false));
                    if (married || (man is null && rng.Chance(0.4)))
                    {
                        woman.PreviousSurname = DrawSurname(rng);
                    }

                    if (man is not null)
                    {
                        household.Adults.Add(man);
                    }

                    household.Adults.Add(woman);
                    if (kind == HouseholdKind.Family)
                    {
                        var children = Math.Min(rng.Count(0.45, 5), maxPeople - household.Adults.Count);
                        DateOnly? twinDob = null;
                        for (var c = 0; c < children; c++)
                        {
                            DateOnly dob;
                            if (twinDob is { } t)
                            {
                                dob = t;
                                twinDob = null;
                            }
                            else
                            {
                                var from = womanDob.AddYears(17);
                                var to = womanDob.AddYears(42);
                                var cap = new DateOnly(2022, 12, 31);
                                dob = DrawDate(rng, from, to > cap ? cap : to);
                                if (c + 1 < children && rng.Chance(0.04))
                                {
                                    twinDob = dob;
                                }
                            }

                            var childSurname = man is null && woman.PreviousSurname is not null && rng.Chance(0.5) ? woman.PreviousSurname : surname;
                            var child = WithMiddle(NewPerson(rng.Chance(0.5) ? 'M' : 'F', dob, childSurname, true));
                            household.Children.Add(child);
                        }

                        // Twins never share a forename.
                        for (var c = 1; c < household.Children.Count; c++)
                        {
                            var a = household.Children[c - 1];
                            var b = household.Children[c];
                            if (a.DateOfBirth == b.DateOfBirth && a.FirstName == b.FirstName)
                            {
                                var name = b.FirstName;
                                while (name == a.FirstName)
                                {
                                    name = DrawForename(rng, b.Sex);
                                }

                                household.Children[c] = new Person
                                {
                                    Id = b.Id, Sex = b.Sex, FirstName = name, MiddleNames = b.MiddleNames, Surname = b.Surname,
                                    DateOfBirth = b.DateOfBirth, Ethnicity = b.Ethnicity, Region = b.Region, IsChild = true,
                                };
                            }
                        }
                    }

                    break;
                }
        }

        // Shared home; some households moved during the window (records before the move show the old one).
        var moved = rng.Chance(0.3);
        var movedOn = DrawDate(rng, WindowStart.AddYears(1), WindowEnd.AddYears(-1));
        var previous = moved ? DrawAddress(rng, region) : null;
        foreach (var member in household.Members)
        {
            if (previous is not null)
            {
                member.Homes.Add((DateOnly.MinValue, previous));
                member.Homes.Add((movedOn, home));
            }
            else
            {
                member.Homes.Add((DateOnly.MinValue, home));
            }
        }

        nextId = id;
        return household;
    }
}
