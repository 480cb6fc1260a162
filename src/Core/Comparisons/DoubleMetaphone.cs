namespace DataFirst.Core.Comparisons;

/// <summary>Double Metaphone (Lawrence Philips, 2000): a primary and an alternate phonetic code of at most four
/// characters for a name, covering English spellings and common Germanic, Slavic, Romance and Greek ones
/// ("0" stands for TH, "X" for SH/CH). Smith → SM0/XMT, Schmidt → XMT/SMT, Knight → NT, Phillips → FLPS.
/// One deliberate addition: P between M and S or T is silent (Thompson/Thomson → TMSN, Sampson/Samson → SMSN).
/// Input is read as upper case letters; other characters are ignored.</summary>
public static class DoubleMetaphone
{
    public const int MaxLength = 4;

    /// <summary>Primary and alternate code (equal when the name has one pronunciation); empty for no letters.</summary>
    public static (string Primary, string Alternate) Encode(string name)
    {
        var letters = new char[name.Length];
        var n = 0;
        foreach (var ch in name)
        {
            var c = char.ToUpperInvariant(ch);
            if (c is >= 'A' and <= 'Z')
            {
                letters[n++] = c;
            }
        }

        if (n == 0)
        {
            return ("", "");
        }

        var e = new Encoder(new string(letters, 0, n));
        return e.Run();
    }

    private sealed class Encoder(string s)
    {
        private readonly System.Text.StringBuilder primary = new(8);
        private readonly System.Text.StringBuilder alternate = new(8);
        private readonly int last = s.Length - 1;
        private readonly bool slavoGermanic = s.Contains('W') || s.Contains('K') || s.Contains("CZ", StringComparison.Ordinal) || s.Contains("WITZ", StringComparison.Ordinal);

        public (string, string) Run()
        {
            var current = 0;
            if (At(0, "GN", "KN", "PN", "WR", "PS"))
            {
                current = 1;
            }

            if (s[0] == 'X')
            {
                Add("S");
                current = 1;
            }

            while ((primary.Length < MaxLength || alternate.Length < MaxLength) && current <= last)
            {
                current = Step(current);
            }

            var p = primary.ToString();
            var a = alternate.ToString();
            return (p.Length > MaxLength ? p[..MaxLength] : p, a.Length > MaxLength ? a[..MaxLength] : a);
        }

        private char Get(int i) => i >= 0 && i <= last ? s[i] : '\0';

        private bool IsVowel(int i) => Get(i) is 'A' or 'E' or 'I' or 'O' or 'U' or 'Y';

        /// <summary>Any of <paramref name="options"/> (all the same length) starts at <paramref name="start"/>.</summary>
        private bool At(int start, params string[] options)
        {
            if (start < 0)
            {
                return false;
            }

            foreach (var o in options)
            {
                if (start + o.Length <= s.Length && string.CompareOrdinal(s, start, o, 0, o.Length) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        private void Add(string both) => Add(both, both);

        private void Add(string main, string alt)
        {
            primary.Append(main);
            alternate.Append(alt);
        }

        private int Step(int current)
        {
            var c = s[current];
            switch (c)
            {
                case 'A' or 'E' or 'I' or 'O' or 'U' or 'Y':
                    if (current == 0)
                    {
                        Add("A");
                    }

                    return current + 1;
                case 'B':
                    Add("P");
                    return Get(current + 1) == 'B' ? current + 2 : current + 1;
                case 'C':
                    return C(current);
                case 'D':
                    if (At(current, "DG"))
                    {
                        if (At(current + 2, "I", "E", "Y"))
                        {
                            Add("J");
                            return current + 3;
                        }

                        Add("TK");
                        return current + 2;
                    }

                    Add("T");
                    return At(current, "DT", "DD") ? current + 2 : current + 1;
                case 'F':
                    Add("F");
                    return Get(current + 1) == 'F' ? current + 2 : current + 1;
                case 'G':
                    return G(current);
                case 'H':
                    if ((current == 0 || IsVowel(current - 1)) && IsVowel(current + 1))
                    {
                        Add("H");
                        return current + 2;
                    }

                    return current + 1;
                case 'J':
                    return J(current);
                case 'K':
                    Add("K");
                    return Get(current + 1) == 'K' ? current + 2 : current + 1;
                case 'L':
                    if (Get(current + 1) == 'L')
                    {
                        if ((current == s.Length - 3 && At(current - 1, "ILLO", "ILLA", "ALLE"))
                            || ((At(last - 1, "AS", "OS") || At(last, "A", "O")) && At(current - 1, "ALLE")))
                        {
                            Add("L", ""); // Spanish -LL-: Cabrillo, Gallegos
                            return current + 2;
                        }

                        Add("L");
                        return current + 2;
                    }

                    Add("L");
                    return current + 1;
                case 'M':
                    Add("M");
                    return (At(current - 1, "UMB") && (current + 1 == last || At(current + 2, "ER"))) || Get(current + 1) == 'M' ? current + 2 : current + 1;
                case 'N':
                    Add("N");
                    return Get(current + 1) == 'N' ? current + 2 : current + 1;
                case 'P':
                    if (Get(current + 1) == 'H')
                    {
                        Add("F");
                        return current + 2;
                    }

                    if (Get(current - 1) == 'M' && At(current + 1, "S", "T"))
                    {
                        return current + 1; // Thompson, Sampson
                    }

                    Add("P");
                    return At(current + 1, "P", "B") ? current + 2 : current + 1;
                case 'Q':
                    Add("K");
                    return Get(current + 1) == 'Q' ? current + 2 : current + 1;
                case 'R':
                    if (current == last && !slavoGermanic && At(current - 2, "IE") && !At(current - 4, "ME", "MA"))
                    {
                        Add("", "R"); // French: Rogier
                    }
                    else
                    {
                        Add("R");
                    }

                    return Get(current + 1) == 'R' ? current + 2 : current + 1;
                case 'S':
                    return S(current);
                case 'T':
                    return T(current);
                case 'V':
                    Add("F");
                    return Get(current + 1) == 'V' ? current + 2 : current + 1;
                case 'W':
                    return W(current);
                case 'X':
                    if (!(current == last && (At(current - 3, "IAU", "EAU") || At(current - 2, "AU", "OU"))))
                    {
                        Add("KS");
                    }

                    return At(current + 1, "C", "X") ? current + 2 : current + 1;
                case 'Z':
                    if (Get(current + 1) == 'H')
                    {
                        Add("J"); // Chinese pinyin: Zhao
                        return current + 2;
                    }

                    if (At(current + 1, "ZO", "ZI", "ZA") || (slavoGermanic && current > 0 && Get(current - 1) != 'T'))
                    {
                        Add("S", "TS");
                    }
                    else
                    {
                        Add("S");
                    }

                    return Get(current + 1) == 'Z' ? current + 2 : current + 1;
                default:
                    return current + 1;
            }
        }

        private int C(int current)
        {
            // Germanic -ACH- (Bacher, Macher) but not -ACHI-/-ACHE-.
            if (current > 1 && !IsVowel(current - 2) && At(current - 1, "ACH") && Get(current + 2) != 'I'
                && (Get(current + 2) != 'E' || At(current - 2, "BACHER", "MACHER")))
            {
                Add("K");
                return current + 2;
            }

            if (current == 0 && At(current, "CAESAR"))
            {
                Add("S");
                return current + 2;
            }

            if (At(current, "CHIA"))
            {
                Add("K"); // Italian: Chianti
                return current + 2;
            }

            if (At(current, "CH"))
            {
                if (current > 0 && At(current, "CHAE"))
                {
                    Add("K", "X"); // Michael
                    return current + 2;
                }

                // Greek roots: Chemistry, Chorus, Character (not Chore).
                if (current == 0 && (At(current + 1, "HARAC", "HARIS") || At(current + 1, "HOR", "HYM", "HIA", "HEM")) && !At(0, "CHORE"))
                {
                    Add("K");
                    return current + 2;
                }

                if (At(0, "VAN ", "VON ", "SCH") || At(current - 2, "ORCHES", "ARCHIT", "ORCHID") || At(current + 2, "T", "S")
                    || ((At(current - 1, "A", "O", "U", "E") || current == 0) && (current + 2 > last || At(current + 2, "L", "R", "N", "M", "B", "H", "F", "V", "W"))))
                {
                    Add("K");
                }
                else if (current > 0)
                {
                    if (At(0, "MC"))
                    {
                        Add("K");
                    }
                    else
                    {
                        Add("X", "K");
                    }
                }
                else
                {
                    Add("X");
                }

                return current + 2;
            }

            if (At(current, "CZ") && !At(current - 2, "WICZ"))
            {
                Add("S", "X"); // Czerny
                return current + 2;
            }

            if (At(current + 1, "CIA"))
            {
                Add("X"); // Focaccia
                return current + 3;
            }

            if (At(current, "CC") && !(current == 1 && Get(0) == 'M'))
            {
                if (At(current + 2, "I", "E", "H") && !At(current + 2, "HU"))
                {
                    if ((current == 1 && Get(current - 1) == 'A') || At(current - 1, "UCCEE", "UCCES"))
                    {
                        Add("KS"); // Accident, Succeed
                    }
                    else
                    {
                        Add("X"); // Italian: Bellocchio
                    }

                    return current + 3;
                }

                Add("K");
                return current + 2;
            }

            if (At(current, "CK", "CG", "CQ"))
            {
                Add("K");
                return current + 2;
            }

            if (At(current, "CI", "CE", "CY"))
            {
                if (At(current, "CIO", "CIE", "CIA"))
                {
                    Add("S", "X");
                }
                else
                {
                    Add("S");
                }

                return current + 2;
            }

            Add("K");
            if (At(current + 1, "C", "K", "Q") && !At(current + 1, "CE", "CI"))
            {
                return current + 2;
            }

            return current + 1;
        }

        private int G(int current)
        {
            var next = Get(current + 1);
            if (next == 'H')
            {
                if (current > 0 && !IsVowel(current - 1))
                {
                    Add("K");
                    return current + 2;
                }

                if (current == 0)
                {
                    Add(Get(current + 2) == 'I' ? "J" : "K"); // Ghislane, Ghent
                    return current + 2;
                }

                // Silent after B, H, D a little earlier: Hugh, Bough, Broughton.
                if ((current > 1 && At(current - 2, "B", "H", "D")) || (current > 2 && At(current - 3, "B", "H", "D")) || (current > 3 && At(current - 4, "B", "H")))
                {
                    return current + 2;
                }

                if (current > 2 && Get(current - 1) == 'U' && At(current - 3, "C", "G", "L", "R", "T"))
                {
                    Add("F"); // Laugh, Tough
                }
                else if (current > 0 && Get(current - 1) != 'I')
                {
                    Add("K");
                }

                return current + 2;
            }

            if (next == 'N')
            {
                if (current == 1 && IsVowel(0) && !slavoGermanic)
                {
                    Add("KN", "N");
                }
                else if (!At(current + 2, "EY") && next != 'Y' && !slavoGermanic)
                {
                    Add("N", "KN");
                }
                else
                {
                    Add("KN");
                }

                return current + 2;
            }

            if (At(current + 1, "LI") && !slavoGermanic)
            {
                Add("KL", "L"); // Tagliaro
                return current + 2;
            }

            if (current == 0 && (next == 'Y' || At(current + 1, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER")))
            {
                Add("K", "J");
                return current + 2;
            }

            if ((At(current + 1, "ER") || next == 'Y') && !At(0, "DANGER", "RANGER", "MANGER") && !At(current - 1, "E", "I") && !At(current - 1, "RGY", "OGY"))
            {
                Add("K", "J");
                return current + 2;
            }

            if (At(current + 1, "E", "I", "Y") || At(current - 1, "AGGI", "OGGI"))
            {
                if (At(0, "VAN ", "VON ", "SCH") || At(current + 1, "ET"))
                {
                    Add("K");
                }
                else if (At(current + 1, "IER") && current + 3 == s.Length)
                {
                    Add("J");
                }
                else
                {
                    Add("J", "K");
                }

                return current + 2;
            }

            Add("K");
            return next == 'G' ? current + 2 : current + 1;
        }

        private int J(int current)
        {
            if (At(current, "JOSE") || At(0, "SAN "))
            {
                if ((current == 0 && current + 4 > last) || At(0, "SAN "))
                {
                    Add("H");
                }
                else
                {
                    Add("J", "H");
                }

                return current + 1;
            }

            if (current == 0)
            {
                Add("J", "A"); // Jankelowicz / Yankelovich
            }
            else if (IsVowel(current - 1) && !slavoGermanic && At(current + 1, "A", "O"))
            {
                Add("J", "H"); // Spanish: bajador
            }
            else if (current == last)
            {
                Add("J", "");
            }
            else if (!At(current + 1, "L", "T", "K", "S", "N", "M", "B", "Z") && !At(current - 1, "S", "K", "L"))
            {
                Add("J");
            }

            return Get(current + 1) == 'J' ? current + 2 : current + 1;
        }

        private int S(int current)
        {
            if (At(current - 1, "ISL", "YSL"))
            {
                return current + 1; // Carlisle, Carlysle
            }

            if (current == 0 && At(current, "SUGAR"))
            {
                Add("X", "S");
                return current + 1;
            }

            if (At(current, "SH"))
            {
                Add(At(current + 1, "HEIM", "HOEK", "HOLM", "HOLZ") ? "S" : "X");
                return current + 2;
            }

            if (At(current, "SIO", "SIA"))
            {
                if (slavoGermanic)
                {
                    Add("S");
                }
                else
                {
                    Add("S", "X");
                }

                return current + 3;
            }

            // Germanic S before M, N, L, W at the start (Smith → Schmidt), and SZ.
            if ((current == 0 && At(current + 1, "M", "N", "L", "W")) || At(current + 1, "Z"))
            {
                Add("S", "X");
                return At(current + 1, "Z") ? current + 2 : current + 1;
            }

            if (At(current, "SC"))
            {
                if (Get(current + 2) == 'H')
                {
                    if (At(current + 3, "OO", "ER", "EN", "UY", "ED", "EM"))
                    {
                        // Dutch: Schooner, Schermerhorn
                        if (At(current + 3, "ER", "EN"))
                        {
                            Add("X", "SK");
                        }
                        else
                        {
                            Add("SK");
                        }

                        return current + 3;
                    }

                    if (current == 0 && !IsVowel(3) && Get(3) != 'W')
                    {
                        Add("X", "S");
                    }
                    else
                    {
                        Add("X");
                    }

                    return current + 3;
                }

                Add(At(current + 2, "I", "E", "Y") ? "S" : "SK");
                return current + 3;
            }

            if (current == last && At(current - 2, "AI", "OI"))
            {
                Add("", "S"); // French: Artois
            }
            else
            {
                Add("S");
            }

            return At(current + 1, "S", "Z") ? current + 2 : current + 1;
        }

        private int T(int current)
        {
            if (At(current, "TION", "TIA", "TCH"))
            {
                Add("X");
                return current + 3;
            }

            if (At(current, "TH") || At(current, "TTH"))
            {
                if (At(current + 2, "OM", "AM") || At(0, "VAN ", "VON ", "SCH"))
                {
                    Add("T"); // Thomas, Thames
                }
                else
                {
                    Add("0", "T");
                }

                return current + 2;
            }

            Add("T");
            return At(current + 1, "T", "D") ? current + 2 : current + 1;
        }

        private int W(int current)
        {
            if (At(current, "WR"))
            {
                Add("R");
                return current + 2;
            }

            if (current == 0 && (IsVowel(current + 1) || At(current, "WH")))
            {
                if (IsVowel(current + 1))
                {
                    Add("A", "F"); // Wasserman / Vasserman
                }
                else
                {
                    Add("A");
                }
            }

            if ((current == last && IsVowel(current - 1)) || At(current - 1, "EWSKI", "EWSKY", "OWSKI", "OWSKY") || At(0, "SCH"))
            {
                Add("", "F"); // Polish: Filipowicz
                return current + 1;
            }

            if (At(current, "WICZ", "WITZ"))
            {
                Add("TS", "FX");
                return current + 4;
            }

            return current + 1;
        }
    }
}
