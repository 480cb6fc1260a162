using System.Text.Json;
using Microsoft.DurableTask.Client;

namespace DataFirst.Functions.Triggers;

/// <summary>
/// What GET /api/runs/{instanceId} returns: status, progress (custom status) and, when finished,
/// the result (counts, paths) or the failure. Never the input (it is configuration, but status
/// stays minimal) and never record values: activities do not return them.
/// </summary>
public sealed record RunStatusView(
    string InstanceId,
    string Name,
    string RuntimeStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    JsonElement? CustomStatus,
    JsonElement? Output,
    string? FailureType,
    string? FailureMessage)
{
    public static RunStatusView From(OrchestrationMetadata instance) => new(
        instance.InstanceId,
        instance.Name,
        instance.RuntimeStatus.ToString(),
        instance.CreatedAt,
        instance.LastUpdatedAt,
        Parse(instance.SerializedCustomStatus),
        Parse(instance.SerializedOutput),
        instance.FailureDetails?.ErrorType,
        instance.FailureDetails?.ErrorMessage);

    private static JsonElement? Parse(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonDocument.Parse(json).RootElement.Clone();
}
