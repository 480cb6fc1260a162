namespace DataFirst.Core.Deidentification;

/// <summary>
/// The root of de-identification, share and publication errors. Messages name the file, row,
/// column, setting or JSON path and say what to do; they never carry a personal field value or a key.
/// </summary>
public class DeidentificationException : Exception
{
    public DeidentificationException(string message)
        : base(message)
    {
    }

    public DeidentificationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A share spec that is not valid JSON, names an unknown dataset/variable, or asks for an identifier.</summary>
public sealed class ShareSpecException(string message, IReadOnlyList<string> problems)
    : DeidentificationException(message)
{
    /// <summary>Every problem found, each naming its JSON path.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>A pseudonym key that is missing, malformed or too short. Never carries the key.</summary>
public sealed class PseudonymKeyException(string message) : DeidentificationException(message);

/// <summary>Publication refused: the version exists already, or a partial upload differs.</summary>
public sealed class SharePublicationException(string message, Exception? innerException = null)
    : DeidentificationException(message, innerException);
