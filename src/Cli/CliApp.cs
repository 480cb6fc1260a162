using System.CommandLine;
using DataFirst.Cli.Commands;

namespace DataFirst.Cli;

/// <summary>The `datafirst` command line: verbs, parsing, one-line errors, exit codes.</summary>
internal static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand(
            "DataFirst.Serverless: deduplicate and link administrative extracts, pseudonymise them, " +
            "and publish research-ready shares with a data catalogue.");

        // One line per verb; each verb lives in Commands/{Verb}Command.cs.
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(LinkCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());

        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = stdout ?? Console.Out;
        var error = stderr ?? Console.Error;
        var root = BuildRootCommand();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line: what is wrong, and where to look.
            var messages = parse.Errors.Select(e => e.Message.TrimEnd('.')).Distinct(StringComparer.Ordinal).ToList();
            if (messages.Count > 1 && messages.Any(m => m.StartsWith("Unrecognized", StringComparison.Ordinal)))
            {
                // "Required command was not provided" only repeats what the unknown word already says.
                messages.RemoveAll(m => m.StartsWith("Required command", StringComparison.Ordinal));
            }

            error.WriteLine($"datafirst: error: {string.Join("; ", messages)} (see 'datafirst --help')");
            return ExitUsage;
        }

        try
        {
            // Ctrl-C / SIGTERM cancel the verb's token and wait for it to stop (a run records what is done and says how to
            // resume). Set here: left unset, no handler was registered and SIGINT killed the process outright, silently.
            var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
            return await parse.InvokeAsync(config).ConfigureAwait(false);
        }
        catch (CliUsageException ex)
        {
            error.WriteLine($"datafirst: error: {ex.Message}");
            return ExitUsage;
        }
        catch (CliFailureException ex)
        {
            error.WriteLine($"datafirst: error: {ex.Message}");
            return ExitFailure;
        }
        catch (Core.Settings.SettingsException ex)
        {
            // The engine's errors (settings: exit 2; data the engine refuses: exit 1) are reported here for every verb,
            // on one line: their messages already name the setting, file or rule.
            error.WriteLine($"datafirst: error: {ex.Message}");
            return ExitUsage;
        }
        catch (Core.Settings.LinkageException ex)
        {
            error.WriteLine($"datafirst: error: {ex.Message}");
            return ExitFailure;
        }
        catch (AggregateException ex) when (ex.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(e => e is Core.Settings.LinkageException))
        {
            // A parallel loop's failure made of the engine's own errors (e.g. a block above max_block_size found by
            // several workers): the first one's message, which names the rule or setting.
            var first = ex.Flatten().InnerExceptions[0];
            error.WriteLine($"datafirst: error: {first.Message}");
            return first is Core.Settings.SettingsException ? ExitUsage : ExitFailure;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("datafirst: cancelled");
            return ExitFailure;
        }
        catch (Core.Storage.StorageException ex)
        {
            // Storage that cannot be reached or refuses the credentials (e.g. --storage naming a stopped Azurite): one
            // line naming the operation and endpoint, not a stack trace. Failures inside a run are the run's own.
            error.WriteLine($"datafirst: error: storage: {ex.Message}");
            return ExitFailure;
        }
    }
}

/// <summary>A mistake in how the command was invoked: reported on one line, exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>A run that could not complete, with a one-line reason (exit code 1).</summary>
internal sealed class CliFailureException(string message) : Exception(message);
