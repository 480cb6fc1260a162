namespace DataFirst.Cli;

/// <summary>Checks on paths given on the command line, reported as one-line usage errors.</summary>
internal static class CliPaths
{
    /// <summary>Creates the folder if needed and proves it can be written to.</summary>
    public static string EnsureWritableDirectory(string path, string optionName)
    {
        var full = Path.GetFullPath(path);
        try
        {
            // A folder made here (a data folder, an output folder) holds personal data or ids: owner-only on Unix.
            Storage.Embedded.OwnerOnly.CreateDirectory(full);
            var probe = Path.Combine(full, $".datafirst-write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
            return full;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new CliUsageException($"{optionName}: cannot write to '{full}' ({ex.Message.TrimEnd('.')}). Choose a folder you can write to.");
        }
    }

    public static string RequireExistingFile(string path, string optionName)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new CliUsageException($"{optionName}: file '{full}' does not exist.");
        }

        return full;
    }
}
