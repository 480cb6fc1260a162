namespace DataFirst.Cli.Commands;

/// <summary>Stage times as the engine verbs print them in their JSON line.</summary>
internal static class StageSeconds
{
    /// <summary>Each stage's seconds to the microsecond. Milliseconds were too coarse: on a small input a fast machine
    /// predicts in under half a millisecond, and the JSON then said the stage took no time while the throughput beside
    /// it was computed from the real figure.</summary>
    public static Dictionary<string, double> ForJson(IReadOnlyDictionary<string, double> stages) =>
        stages.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 6));
}
