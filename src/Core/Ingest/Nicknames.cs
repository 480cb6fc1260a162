namespace DataFirst.Core.Ingest;

/// <summary>The shipped English nickname/diminutive table (Resources/nicknames.csv).
/// Two names "match as nicknames" when they share a canonical group (BOB ~ ROBERT, BOB ~ ROBBIE).</summary>
public static class Nicknames
{
    private static readonly Lazy<Dictionary<string, int[]>> Groups = new(Load);

    /// <summary>Canonical group ids of <paramref name="name"/> (upper case), empty when none.</summary>
    public static IReadOnlyList<int> GroupsOf(string name) =>
        Groups.Value.TryGetValue(name, out var g) ? g : [];

    public static bool AreNicknames(string a, string b)
    {
        if (!Groups.Value.TryGetValue(a, out var ga) || !Groups.Value.TryGetValue(b, out var gb))
        {
            return false;
        }

        foreach (var x in ga)
        {
            if (Array.IndexOf(gb, x) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static Dictionary<string, int[]> Load()
    {
        var asm = typeof(Nicknames).Assembly;
        var resource = asm.GetManifestResourceNames().Single(n => n.EndsWith("nicknames.csv", StringComparison.Ordinal));
        using var stream = asm.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        var map = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var group = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            foreach (var name in line.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!map.TryGetValue(name, out var list))
                {
                    map[name] = list = [];
                }

                if (!list.Contains(group))
                {
                    list.Add(group);
                }
            }

            group++;
        }

        return map.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
    }
}
