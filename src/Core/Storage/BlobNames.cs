namespace DataFirst.Core.Storage;

/// <summary>
/// Blob name rules shared by every adapter (in-memory, folder, Azure), so that a name one store
/// accepts is valid in all of them. Violations throw <see cref="StorageException"/> with
/// <see cref="StorageErrorKind.InvalidName"/> and a message that names the rule.
/// </summary>
public static class BlobNames
{
    public const int MaxLength = 1024;
    public const int MaxSegments = 254;

    /// <summary>
    /// 1-1024 characters, no leading '/', no '\', no empty, '.' or '..' path segments, no trailing
    /// '/' or '.', no control characters, at most 254 segments.
    /// </summary>
    public static void Validate(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw Invalid("Blob name is empty: give a name of 1-1024 characters.");
        }

        if (name.Length > MaxLength)
        {
            throw Invalid($"Blob name is {name.Length} characters long: the limit is {MaxLength}.");
        }

        if (name[0] == '/')
        {
            throw Invalid($"Blob name '{Printable(name)}' starts with '/': names are relative to the container.");
        }

        if (name.EndsWith('/') || name.EndsWith('.'))
        {
            throw Invalid($"Blob name '{Printable(name)}' ends with '/' or '.': Azure does not allow that.");
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            throw Invalid($"Blob name '{Printable(name)}' contains '\\': use '/' to separate path segments.");
        }

        foreach (var c in name)
        {
            if (char.IsControl(c) || c == '\uFFFE' || c == '\uFFFF')
            {
                throw Invalid($"Blob name '{Printable(name)}' contains a control character.");
            }
        }

        var segments = name.Split('/');
        if (segments.Length > MaxSegments)
        {
            throw Invalid($"Blob name has {segments.Length} path segments: the limit is {MaxSegments}.");
        }

        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                throw Invalid($"Blob name '{Printable(name)}' has an empty, '.' or '..' path segment: relative paths are not allowed.");
            }
        }
    }

    /// <summary>Joins segments with '/'.</summary>
    public static string Combine(params string[] segments) => string.Join('/', segments.Select(s => s.Trim('/')).Where(s => s.Length > 0));

    /// <summary>The error every name rule throws.</summary>
    public static StorageException Invalid(string message) => new(StorageErrorKind.InvalidName, 400, "InvalidName", message);

    /// <summary>Shortens a name for an error message and makes control characters visible.</summary>
    public static string Printable(string? value)
    {
        if (value is null)
        {
            return "(null)";
        }

        var shown = value.Length > 80 ? value[..80] + "…" : value;
        return new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
