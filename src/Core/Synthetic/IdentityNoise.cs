using System.Globalization;

namespace DataFirst.Core.Synthetic;

/// <summary>The identity fields as one source system records them for one row.</summary>
internal struct RecordedIdentity
{
    public string? Forenames;
    public string? Surname;
    public string? DateOfBirth;
    public string? Sex;
    public string? Address;
    public string? Postcode;
    public string? Ethnicity;
    public IdentityErrors Errors;
}

/// <summary>The identity errors applied to one record (written to truth/identity_errors.csv).</summary>
[Flags]
internal enum IdentityErrors
{
    None = 0,
    NameTypo = 1 << 0,
    NameTransposition = 1 << 1,
    Nickname = 1 << 2,
    MiddleNameDropped = 1 << 3,
    PreviousSurname = 1 << 4,
    Alias = 1 << 5,
    NameSwap = 1 << 6,
    DobDayMonthSwap = 1 << 7,
    DobMistype = 1 << 8,
    StaleAddress = 1 << 9,
    PostcodeTypo = 1 << 10,
    MissingForenames = 1 << 11,
    MissingDob = 1 << 12,
    MissingAddress = 1 << 13,
    MissingPostcode = 1 << 14,
    MissingSex = 1 << 15,
}

/// <summary>
/// Turns a person's true identity into what a source system records, applying that source's
/// <see cref="SourceNoise"/>. All randomness comes from the caller's noise stream, so a clean run
/// (all rates 0) and a noisy run with the same seed have identical rows apart from these fields.
/// </summary>
internal static class IdentityNoise
{
    private const string Lower = "abcdefghijklmnopqrstuvwxyz";

    public static RecordedIdentity Record(Person person, DateOnly eventDate, string dobFormat, SourceNoise noise, Rng rng, int seed)
    {
        var first = person.FirstName;
        var middle = person.MiddleNames;
        var surname = person.Surname;
        var dob = person.DateOfBirth;
        var home = person.AddressAt(eventDate);
        string? dobText = null;
        var ethnicity = person.Ethnicity;
        var errors = IdentityErrors.None;

        // Ethnicity is self-reported and recorded inconsistently across systems.
        var e = rng.NextDouble();
        if (e < 0.08)
        {
            ethnicity = "NS";
        }
        else if (e < 0.11)
        {
            ethnicity = ReferenceData.Ethnicity.Pick(rng);
        }

        // Whole-name substitutions first, character errors after.
        if (rng.Chance(noise.Alias))
        {
            var alias = Rng.For(seed, person.Id, 99);
            first = PopulationBuilder.DrawForename(alias, person.Sex);
            middle = null;
            surname = PopulationBuilder.DrawSurname(alias);
            if (first == person.FirstName && surname == person.Surname)
            {
                surname += "s";
            }

            errors |= IdentityErrors.Alias;
        }

        if (rng.Chance(noise.PreviousSurname) && person.PreviousSurname is not null)
        {
            surname = person.PreviousSurname;
            errors |= IdentityErrors.PreviousSurname;
        }

        if (rng.Chance(noise.Nickname) && NameData.Nicknames.TryGetValue(first, out var nicknames))
        {
            first = nicknames[rng.Chance(0.6) ? 0 : rng.Next(nicknames.Length)];
            errors |= IdentityErrors.Nickname;
        }

        if (rng.Chance(noise.MiddleNameDropped) && middle is not null)
        {
            middle = null;
            errors |= IdentityErrors.MiddleNameDropped;
        }

        var forenames = middle is null ? first : $"{first} {middle}";
        if (rng.Chance(noise.NameTypo))
        {
            errors |= IdentityErrors.NameTypo;
            if (rng.Chance(0.5))
            {
                forenames = Typo(forenames, rng);
            }
            else
            {
                surname = Typo(surname, rng);
            }
        }

        if (rng.Chance(noise.NameTransposition))
        {
            errors |= IdentityErrors.NameTransposition;
            if (rng.Chance(0.5))
            {
                forenames = Transpose(forenames, rng);
            }
            else
            {
                surname = Transpose(surname, rng);
            }
        }

        if (rng.Chance(noise.NameSwap))
        {
            (forenames, surname) = (surname, forenames);
            errors |= IdentityErrors.NameSwap;
        }

        if (rng.Chance(noise.DobDayMonthSwap))
        {
            dob = dob.Day <= 12 && dob.Day != dob.Month ? new DateOnly(dob.Year, dob.Day, dob.Month) : Mistype(dob, rng);
            errors |= IdentityErrors.DobDayMonthSwap;
        }

        if (rng.Chance(noise.DobMistype))
        {
            dob = Mistype(dob, rng);
            errors |= IdentityErrors.DobMistype;
        }

        var address = home;
        if (rng.Chance(noise.StaleAddress))
        {
            address = person.OtherAddressThan(eventDate) ?? PopulationBuilder.DrawAddress(Rng.For(seed, person.Id, 98), person.Region);
            if (address == home)
            {
                address = new Address("1 " + home.Line, home.Postcode[..^1] + (home.Postcode[^1] == 'A' ? 'B' : 'A'));
            }

            errors |= IdentityErrors.StaleAddress;
        }

        var postcode = address.Postcode;
        if (rng.Chance(noise.PostcodeTypo))
        {
            postcode = PostcodeTypo(postcode, rng);
            errors |= IdentityErrors.PostcodeTypo;
        }

        dobText = dob.ToString(dobFormat, CultureInfo.InvariantCulture);
        string? sex = person.Sex.ToString();
        string? addressLine = address.Line;
        string? forenamesOut = forenames;
        if (rng.Chance(noise.MissingForenames))
        {
            forenamesOut = null;
            errors |= IdentityErrors.MissingForenames;
        }

        if (rng.Chance(noise.MissingDob))
        {
            dobText = null;
            errors |= IdentityErrors.MissingDob;
        }

        if (rng.Chance(noise.MissingAddress))
        {
            addressLine = null;
            errors |= IdentityErrors.MissingAddress;
        }

        string? postcodeOut = postcode;
        if (rng.Chance(noise.MissingPostcode))
        {
            postcodeOut = null;
            errors |= IdentityErrors.MissingPostcode;
        }

        if (rng.Chance(noise.MissingSex))
        {
            sex = null;
            errors |= IdentityErrors.MissingSex;
        }

        return new RecordedIdentity
        {
            Forenames = forenamesOut,
            Surname = surname,
            DateOfBirth = dobText,
            Sex = sex,
            Address = addressLine,
            Postcode = postcodeOut,
            Ethnicity = ethnicity,
            Errors = errors,
        };
    }

    /// <summary>The errors as snake_case names joined by ';', e.g. <c>name_typo;stale_address</c>.</summary>
    public static string Describe(IdentityErrors errors)
    {
        var names = new List<string>(2);
        foreach (var (flag, name) in ErrorNames)
        {
            if ((errors & flag) != 0)
            {
                names.Add(name);
            }
        }

        return string.Join(';', names);
    }

    private static readonly (IdentityErrors Flag, string Name)[] ErrorNames =
    [
        (IdentityErrors.NameTypo, "name_typo"), (IdentityErrors.NameTransposition, "name_transposition"), (IdentityErrors.Nickname, "nickname"),
        (IdentityErrors.MiddleNameDropped, "middle_name_dropped"), (IdentityErrors.PreviousSurname, "previous_surname"), (IdentityErrors.Alias, "alias"),
        (IdentityErrors.NameSwap, "name_swap"), (IdentityErrors.DobDayMonthSwap, "dob_day_month_swap"), (IdentityErrors.DobMistype, "dob_mistype"),
        (IdentityErrors.StaleAddress, "stale_address"), (IdentityErrors.PostcodeTypo, "postcode_typo"), (IdentityErrors.MissingForenames, "missing_forenames"),
        (IdentityErrors.MissingDob, "missing_dob"), (IdentityErrors.MissingAddress, "missing_address"), (IdentityErrors.MissingPostcode, "missing_postcode"),
        (IdentityErrors.MissingSex, "missing_sex"),
    ];

    /// <summary>One character substituted, inserted or deleted; never returns the input unchanged.</summary>
    internal static string Typo(string value, Rng rng)
    {
        if (value.Length < 2)
        {
            return value + Lower[rng.Next(Lower.Length)];
        }

        var position = 1 + rng.Next(value.Length - 1);
        switch (rng.Next(3))
        {
            case 0:
                {
                    var replacement = Lower[rng.Next(Lower.Length)];
                    if (char.ToLowerInvariant(value[position]) == replacement)
                    {
                        replacement = replacement == 'z' ? 'a' : (char)(replacement + 1);
                    }

                    return string.Concat(value.AsSpan(0, position), new string(replacement, 1), value.AsSpan(position + 1));
                }

            case 1:
                return string.Concat(value.AsSpan(0, position), new string(Lower[rng.Next(Lower.Length)], 1), value.AsSpan(position));
            default:
                return value.Length > 2 ? string.Concat(value.AsSpan(0, position), value.AsSpan(position + 1)) : value + "e";
        }
    }

    /// <summary>Two adjacent different letters swapped; falls back to a typo when none differ.</summary>
    internal static string Transpose(string value, Rng rng)
    {
        Span<int> candidates = stackalloc int[Math.Max(1, value.Length)];
        var count = 0;
        for (var i = 0; i + 1 < value.Length; i++)
        {
            if (char.ToLowerInvariant(value[i]) != char.ToLowerInvariant(value[i + 1]) && char.IsLetter(value[i]) && char.IsLetter(value[i + 1]))
            {
                candidates[count++] = i;
            }
        }

        if (count == 0)
        {
            return Typo(value, rng);
        }

        var at = candidates[rng.Next(count)];
        var chars = value.ToCharArray();
        (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]);
        if (at == 0)
        {
            chars[0] = char.ToUpperInvariant(chars[0]);
            chars[1] = char.ToLowerInvariant(chars[1]);
        }

        return new string(chars);
    }

    /// <summary>A different valid date: one digit of day, month or year wrong.</summary>
    internal static DateOnly Mistype(DateOnly dob, Rng rng)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var (year, month, day) = (dob.Year, dob.Month, dob.Day);
            switch (rng.Next(4))
            {
                case 0:
                    day = (day / 10 * 10) + rng.Next(10);
                    break;
                case 1:
                    month = rng.Between(1, 12);
                    break;
                case 2:
                    year = (year / 10 * 10) + rng.Next(10);
                    break;
                default:
                    year += rng.Chance(0.5) ? 1 : -1;
                    break;
            }

            if (day >= 1 && day <= DateTime.DaysInMonth(year, month))
            {
                var candidate = new DateOnly(year, month, day);
                if (candidate != dob)
                {
                    return candidate;
                }
            }
        }

        return dob.AddDays(dob.Day < 28 ? 1 : -1);
    }

    internal static string PostcodeTypo(string postcode, Rng rng)
    {
        var chars = postcode.ToCharArray();
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var i = rng.Next(chars.Length);
            var c = chars[i];
            if (char.IsDigit(c))
            {
                chars[i] = (char)('0' + ((c - '0' + 1 + rng.Next(9)) % 10));
                return new string(chars);
            }

            if (char.IsLetter(c))
            {
                var letters = NameData.PostcodeUnitLetters;
                var replacement = letters[rng.Next(letters.Length)];
                chars[i] = replacement == c ? (c == 'A' ? 'B' : 'A') : replacement;
                return new string(chars);
            }
        }

        return postcode + "X";
    }
}
