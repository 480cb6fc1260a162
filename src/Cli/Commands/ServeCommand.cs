using System.CommandLine;
using DataFirst.Cli.Hosting;
using DataFirst.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataFirst.Cli.Commands;

/// <summary>`datafirst serve`: the local host — HTTP API (same surface as the Functions app) + extracts watcher.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var storage = CommonOptions.Storage();
        var data = CommonOptions.Data();
        var parallel = CommonOptions.ParallelActivities();
        var urls = new Option<string>("--urls") { Description = "Where to listen (loopback).", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
        var poll = new Option<double>("--poll-seconds") { Description = "How often the extracts watcher looks for extracts/{share}/_run.json.", DefaultValueFactory = _ => 2.0 };
        var command = new Command("serve", "Run the local host: HTTP API to start and follow runs, and a watcher that starts a run when extracts/{share}/_run.json is uploaded.")
        {
            storage, data, parallel, urls, poll,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dataDir = CliPaths.EnsureWritableDirectory(parse.GetValue(data)!, "--data");
            var listen = parse.GetValue(urls)!;
            if (!Uri.TryCreate(listen, UriKind.Absolute, out var listenUri) || listenUri.Scheme != "http")
            {
                throw new CliUsageException($"--urls: '{listen}' is not an http URL like http://127.0.0.1:7071");
            }

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.WebHost.UseUrls(listen);
            var app = builder.Build();
            var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
            using var host = await PipelineHost.OpenAsync(parse.GetValue(storage), dataDir, loggerFactory, cancellationToken, parse.GetParallelActivities(parallel)).ConfigureAwait(false);
            app.MapRunsApi(host.Runs);
            app.MapGet("/", () => "DataFirst.Serverless local host: POST /api/runs, GET /api/runs, GET /api/runs/{id}, POST /api/runs/{id}/terminate");

            var resumed = await host.Runs.ResumeUnfinishedAsync(cancellationToken).ConfigureAwait(false);
            var watcher = new ExtractsWatcher(host.Storage.Blobs, host.Storage.Tables, host.Runs, loggerFactory.CreateLogger<ExtractsWatcher>());
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var watching = watcher.RunAsync(TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(poll))), stop.Token);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine($"serve: listening on {string.Join(", ", app.Urls)}; storage {host.Storage.Mode}; {resumed} unfinished run(s) resumed");
            try
            {
                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await watching.ConfigureAwait(false);
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return CliApp.ExitOk;
        });
        return command;
    }
}
