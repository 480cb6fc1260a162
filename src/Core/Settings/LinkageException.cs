namespace DataFirst.Core.Settings;

/// <summary>Root of every error the linkage engine raises. Messages name the setting, column, rule or
/// row and say what to do; they never contain a personal field value.</summary>
public class LinkageException : Exception
{
    public LinkageException(string message) : base(message) { }

    public LinkageException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The settings JSON is invalid. <see cref="JsonPath"/> names the offending element.</summary>
public sealed class SettingsException : LinkageException
{
    public SettingsException(string jsonPath, string message) : base($"settings {jsonPath}: {message}") => JsonPath = jsonPath;

    public SettingsException(string jsonPath, string message, Exception inner) : base($"settings {jsonPath}: {message}", inner) => JsonPath = jsonPath;

    public string JsonPath { get; }
}

/// <summary>The input data cannot be linked as configured (missing column, empty dataset, duplicate id...).</summary>
public sealed class DataException : LinkageException
{
    public DataException(string message) : base(message) { }
}

/// <summary>A blocking rule produced a block above the configured limit, or another blocking failure.</summary>
public sealed class BlockingException : LinkageException
{
    public BlockingException(string message) : base(message) { }
}

/// <summary>Training could not produce a model (no pairs, no deterministic matches...).</summary>
public sealed class TrainingException : LinkageException
{
    public TrainingException(string message) : base(message) { }
}

/// <summary>A serialised artefact (record set, histogram, edges, model) is corrupt or of the wrong version.</summary>
public sealed class FormatException : LinkageException
{
    public FormatException(string message) : base(message) { }
}
