using DataFirst.Core.Storage;

namespace DataFirst.Storage;

/// <summary>Entity and batch rules every table adapter checks before touching storage (Azure Tables limits).</summary>
internal static class TableRules
{
    public const int MaxBatchSize = 100;

    /// <summary>Azure Tables: 64 KiB per string property (UTF-16), 64 KiB per binary property.</summary>
    public const int MaxStringLength = 32 * 1024;

    public const int MaxBinaryLength = 64 * 1024;

    private static bool IsIdentifier(string name) =>
        (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>Checks every adapter applies to a batch: 1-100 actions, one partition, each row once.</summary>
    internal static void ValidateBatch(IReadOnlyList<TableTransactionAction> actions)
    {
        if (actions.Count is 0 or > MaxBatchSize)
        {
            throw new StorageException(StorageErrorKind.Other, 400, "InvalidBatchSize", $"A table batch holds 1-{MaxBatchSize} actions; this one has {actions.Count}. Split it.");
        }

        var partition = actions[0].Entity.PartitionKey;
        var rows = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            if (action.Entity.PartitionKey != partition)
            {
                throw new StorageException(StorageErrorKind.Other, 400, "CommandsInBatchActOnDifferentPartitions", "Every action of a table batch must use the same PartitionKey. Group the actions by partition.");
            }

            if (!rows.Add(action.Entity.RowKey))
            {
                throw new StorageException(StorageErrorKind.Other, 400, "InvalidDuplicateRow", $"A table batch may touch each RowKey once; '{action.Entity.RowKey}' appears twice.");
            }
        }
    }

    internal static void ValidateEntity(string table, TableEntity entity)
    {
        StorageNames.ValidateTable(table);
        ArgumentNullException.ThrowIfNull(entity);
        StorageNames.ValidateKey(entity.PartitionKey, "PartitionKey");
        StorageNames.ValidateKey(entity.RowKey, "RowKey");
        foreach (var (name, value) in entity.Properties)
        {
            if (name is "PartitionKey" or "RowKey" or "Timestamp" || string.IsNullOrEmpty(name) || name.Length > 255 || !IsIdentifier(name))
            {
                throw StorageNames.Invalid($"Property name '{name}' is reserved or invalid: use 1-255 letters, digits and '_', starting with a letter or '_' (not PartitionKey, RowKey or Timestamp).");
            }

            if ((value is string text && text.Length > MaxStringLength) || (value is byte[] bytes && bytes.Length > MaxBinaryLength))
            {
                throw new StorageException(StorageErrorKind.Other, 400, "PropertyValueTooLarge", $"Property '{name}' is too large: strings hold up to {MaxStringLength} characters and binary values up to {MaxBinaryLength} bytes. Store large values in a blob and keep its name here.");
            }

            if (value is not (null or string or long or int or double or bool or DateTimeOffset or DateTime or Guid or byte[]))
            {
                throw new StorageException(StorageErrorKind.Other, 400, "PropertyValueInvalid", $"Property '{name}' has type {value.GetType().Name}: use string, long, int, double, bool, DateTimeOffset, Guid or byte[].");
            }
        }
    }
}
