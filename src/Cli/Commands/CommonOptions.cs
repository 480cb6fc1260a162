using System.CommandLine;

namespace DataFirst.Cli.Commands;

/// <summary>Options shared by the verbs that touch storage.</summary>
internal static class CommonOptions
{
    public static Option<string?> Storage() => new("--storage")
    {
        Description = "Storage: omit for the embedded default (folder + SQLite under --data); a connection string (e.g. UseDevelopmentStorage=true for Azurite); or an account blob URL (token auth).",
    };

    public static Option<string> Data() => new("--data")
    {
        Description = "Folder for embedded storage and local keys.",
        DefaultValueFactory = _ => Path.Combine(".datafirst", "data"),
    };

    public static Option<int?> ParallelActivities() => new("--parallel-activities")
    {
        Description = "Activities run at once (default: the number of cores). Each blocking, estimation and clustering activity holds every record of the run (about 0.3 GiB per million records), so lower this to bound memory on a many-core machine.",
    };

    /// <summary>The value of <see cref="ParallelActivities"/>, checked: null (the default) or at least 1.</summary>
    public static int? GetParallelActivities(this System.CommandLine.ParseResult parse, Option<int?> option)
    {
        var value = parse.GetValue(option);
        return value is < 1
            ? throw new CliUsageException($"--parallel-activities: {value} is not a number of activities; give 1 or more, or omit it for one per core.")
            : value;
    }
}
