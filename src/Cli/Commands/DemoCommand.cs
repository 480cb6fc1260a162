using System.CommandLine;
using System.Globalization;
using DataFirst.Cli.Hosting;
using DataFirst.Core.Synthetic;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataFirst.Cli.Commands;

/// <summary>`datafirst demo`: generate extracts, run the whole pipeline on embedded storage, summarise.</summary>
internal static class DemoCommand
{
    public const string Share = "demo";

    public static Command Create()
    {
        var people = new Option<int>("--people") { Description = "People in the simulated population.", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Random seed for the generator and the training.", DefaultValueFactory = _ => 42 };
        var data = new Option<string>("--data") { Description = "Folder for the embedded storage (blobs + SQLite tables) and the local demo key.", DefaultValueFactory = _ => Path.Combine(".datafirst", "demo") };
        var output = new Option<string>("--out") { Description = "Folder the published share is copied to.", DefaultValueFactory = _ => Path.Combine("out", "demo") };
        var command = new Command("demo", "Generate synthetic justice extracts and run the whole pipeline on embedded storage (no emulator, no cloud).")
        {
            people, seed, data, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var n = parse.GetValue(people);
            if (n is < 10 or > 10_000_000)
            {
                throw new CliUsageException($"--people: {n} is out of range; use 10 to 10000000.");
            }

            var dataDir = CliPaths.EnsureWritableDirectory(parse.GetValue(data)!, "--data");
            var outDir = CliPaths.EnsureWritableDirectory(parse.GetValue(output)!, "--out");
            var s = parse.GetValue(seed);

            // 1. Synthetic extracts for the five source systems; ground truth goes to truth/, not into the run.
            var extractsDir = Path.Combine(dataDir, "generated", $"people-{n}-seed-{s}");
            var generated = await new ExtractGenerator().GenerateAsync(new GeneratorOptions { People = n, Seed = s }, extractsDir, cancellationToken).ConfigureAwait(false);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo: generated {generated.TotalRows:N0} rows in {generated.RowsPerDataset.Count} extracts for {n:N0} people ({extractsDir})"));

            // 2. The pipeline, as a durable run on the embedded storage.
            KeyProviders.CreateLocalKeyIfMissing(Path.Combine(dataDir, "keys"), Share);
            using var host = await PipelineHost.OpenAsync(null, dataDir, NullLoggerFactory.Instance, cancellationToken).ConfigureAwait(false);
            var files = Directory.GetFiles(extractsDir, "*.csv").Order(StringComparer.Ordinal).ToList();
            var now = DateTimeOffset.UtcNow;
            var version = "v" + now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            var request = await RunCommand.BuildRequestAsync(host, Share, files, null, null, version, 8, null, cancellationToken).ConfigureAwait(false);
            request = request with { Seed = s };
            var id = Core.Pipeline.RunInstanceIds.ForManualRun(Share, now);
            var code = await RunCommand.ExecuteAndReportAsync(host, request, id, stdout, parse.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
            if (code != CliApp.ExitOk)
            {
                return code;
            }

            // 3. The "transfer": the published share, copied out of the srs-transfer container.
            var state = await host.Runner.GetStatusAsync(id, cancellationToken).ConfigureAwait(false);
            var publishedTo = state!.Output!.Value.GetProperty("publishedTo").GetString()!;
            var target = Path.Combine(outDir, version);
            var exported = await RunExecution.ExportShareAsync(host, publishedTo, target, cancellationToken).ConfigureAwait(false);
            stdout.WriteLine($"share files         {target} ({exported.Count} files)");
            stdout.WriteLine($"catalogue           {Path.Combine(target, "catalogue.json")}");
            return CliApp.ExitOk;
        });
        return command;
    }
}
