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
}
