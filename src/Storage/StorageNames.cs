using System.Text.RegularExpressions;
using DataFirst.Core.Storage;

namespace DataFirst.Storage;

/// <summary>
/// Name rules shared by every adapter, so that a name the embedded store accepts is also valid in
/// Azure (and the other way round). Violations throw <see cref="StorageException"/> with
/// <see cref="StorageErrorKind.InvalidName"/> and a message that names the rule.
/// </summary>
public static partial class StorageNames
{
    public const int MaxBlobNameLength = BlobNames.MaxLength;
    public const int MaxKeyLength = 512;

    /// <summary>Container: 3-63 characters, lower-case letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public static void ValidateContainer(string container)
    {
        if (string.IsNullOrEmpty(container) || !ContainerRegex().IsMatch(container) || container.Contains("--", StringComparison.Ordinal))
        {
            throw Invalid($"Container name '{Printable(container)}' is invalid: use 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.");
        }
    }

    /// <summary>Blob names follow Core's <see cref="BlobNames"/> rule, the same for every adapter.</summary>
    public static void ValidateBlobName(string name) => BlobNames.Validate(name);

    /// <summary>Blob name prefix for listing: same characters as a blob name, may end with '/'.</summary>
    public static void ValidatePrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return;
        }

        if (prefix.Length > MaxBlobNameLength || prefix[0] == '/' || prefix.Contains('\\', StringComparison.Ordinal) || prefix.Any(char.IsControl))
        {
            throw Invalid($"Blob prefix '{Printable(prefix)}' is invalid: it must not start with '/', contain '\\' or control characters, or exceed {MaxBlobNameLength} characters.");
        }
    }

    /// <summary>Table: 3-63 letters and digits, starting with a letter.</summary>
    public static void ValidateTable(string table)
    {
        if (string.IsNullOrEmpty(table) || !TableRegex().IsMatch(table) || table.Equals("tables", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"Table name '{Printable(table)}' is invalid: use 3-63 letters and digits, starting with a letter ('tables' is reserved).");
        }
    }

    /// <summary>PartitionKey / RowKey: up to 512 characters, none of '/', '\', '#', '?' or control characters.</summary>
    public static void ValidateKey(string? key, string which)
    {
        if (key is null)
        {
            throw Invalid($"{which} is null: give a string (it may be empty).");
        }

        if (key.Length > MaxKeyLength)
        {
            throw Invalid($"{which} is {key.Length} characters long: the limit is {MaxKeyLength}.");
        }

        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                throw Invalid($"{which} '{Printable(key)}' contains '/', '\\', '#', '?' or a control character: Azure Tables does not allow those.");
            }
        }
    }

    /// <summary>Metadata keys are C# identifiers; values are printable ASCII (HTTP header rules).</summary>
    public static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (var (key, value) in metadata)
        {
            if (string.IsNullOrEmpty(key) || !MetadataKeyRegex().IsMatch(key))
            {
                throw Invalid($"Metadata key '{Printable(key)}' is invalid: use letters, digits and '_', starting with a letter or '_'.");
            }

            if (value is null || value.Any(c => c < 0x20 || c > 0x7E))
            {
                throw new StorageException(StorageErrorKind.Other, 400, "InvalidMetadata", $"Metadata value of key '{key}' must be printable ASCII (HTTP header rules); encode other text first.");
            }
        }
    }

    internal static StorageException Invalid(string message) => BlobNames.Invalid(message);

    private static string Printable(string? value) => BlobNames.Printable(value);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerRegex();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableRegex();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex MetadataKeyRegex();
}
