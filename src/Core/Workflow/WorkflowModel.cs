using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataFirst.Core.Workflow;

[JsonConverter(typeof(JsonStringEnumConverter<WorkflowStatus>))]
public enum WorkflowStatus
{
    Pending,
    Running,
    Completed,
    Failed,
    Terminated,
}

/// <summary>An orchestration instance as status queries see it.</summary>
public sealed record WorkflowInstanceState(
    string InstanceId,
    string Name,
    WorkflowStatus Status,
    JsonElement? Input,
    JsonElement? Output,
    string? Error,
    JsonElement? CustomStatus,
    DateTimeOffset CreatedUtc,
    DateTimeOffset UpdatedUtc)
{
    public bool IsFinished => Status is WorkflowStatus.Completed or WorkflowStatus.Failed or WorkflowStatus.Terminated;
}

/// <summary>An activity failed after its retries: the run fails with the activity's name and error.</summary>
public sealed class ActivityFailedException(string activityName, int sequence, string error, Exception? inner = null)
    : Exception($"activity {activityName} (call {sequence}) failed: {error}", inner)
{
    public string ActivityName { get; } = activityName;

    public int Sequence { get; } = sequence;
}

/// <summary>Replay found a different activity at a position of the history than the code now calls, or the same
/// activity with another input.</summary>
public sealed class NonDeterministicWorkflowException : Exception
{
    private const string Advice = "Do not change an orchestrator while runs are in flight; start a new run instead.";

    public NonDeterministicWorkflowException(string instanceId, int sequence, string recorded, string called)
        : base($"Workflow {instanceId} is not deterministic: call {sequence} was '{recorded}' in the recorded history but the orchestrator now calls '{called}'. {Advice}")
    {
    }

    public NonDeterministicWorkflowException(string instanceId, int sequence, string activity)
        : base($"Workflow {instanceId} is not deterministic: call {sequence} ('{activity}') had another input in the recorded history than the orchestrator now gives it. {Advice}")
    {
    }
}

/// <summary>An exception an activity throws for input that retrying cannot fix (bad data, bad settings).</summary>
public interface IPermanentFailure
{
}

/// <summary>Base of the pipeline's own permanent failures (hosts recognise it by type: no retry).</summary>
public abstract class PermanentFailureException(string message) : Exception(message), IPermanentFailure;

/// <summary>JSON used for workflow inputs, outputs and history: web defaults (camelCase).</summary>
public static class WorkflowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;

    public static JsonElement? ToElement(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
