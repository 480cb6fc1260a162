namespace DataFirst.Core.Workflow;

/// <summary>Activities by name, with JSON in and out as the Durable Functions host would pass them.</summary>
public sealed class ActivityRegistry
{
    private readonly Dictionary<string, Func<string, CancellationToken, Task<string>>> _activities = new(StringComparer.Ordinal);

    public ActivityRegistry Add<TInput, TResult>(string name, Func<TInput, CancellationToken, Task<TResult>> run)
    {
        _activities[name] = async (json, ct) =>
        {
            var input = WorkflowJson.Deserialize<TInput>(json);
            var result = await run(input, ct).ConfigureAwait(false);
            return WorkflowJson.Serialize(result);
        };
        return this;
    }

    public IReadOnlyCollection<string> Names => _activities.Keys;

    internal Func<string, CancellationToken, Task<string>> Get(string name) =>
        _activities.TryGetValue(name, out var run)
            ? run
            : throw new InvalidOperationException($"No activity named '{name}' is registered.");
}

/// <summary>Orchestrators by name.</summary>
public sealed class OrchestratorRegistry
{
    private readonly Dictionary<string, Func<IWorkflowContext, string, Task<string>>> _orchestrators = new(StringComparer.Ordinal);

    public OrchestratorRegistry Add<TInput, TResult>(string name, Func<IWorkflowContext, TInput, Task<TResult>> run)
    {
        _orchestrators[name] = async (context, json) =>
        {
            var result = await run(context, WorkflowJson.Deserialize<TInput>(json)).ConfigureAwait(false);
            return WorkflowJson.Serialize(result);
        };
        return this;
    }

    internal Func<IWorkflowContext, string, Task<string>> Get(string name) =>
        _orchestrators.TryGetValue(name, out var run)
            ? run
            : throw new InvalidOperationException($"No orchestrator named '{name}' is registered.");
}
