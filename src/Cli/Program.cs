using DataFirst.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
