namespace DataFirst.Core.Pipeline;

/// <summary>A run request or run manifest that cannot be used; <see cref="JsonPath"/> says where.</summary>
public sealed class RunRequestException(string jsonPath, string message)
    : Workflow.PermanentFailureException($"{jsonPath}: {message}")
{
    public string JsonPath { get; } = jsonPath;
}
