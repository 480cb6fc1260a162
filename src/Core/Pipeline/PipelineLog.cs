using Microsoft.Extensions.Logging;

namespace DataFirst.Core.Pipeline;

internal static partial class PipelineLog
{
    [LoggerMessage(100, LogLevel.Information, "Run {RunId} completed: {People} estimated people")]
    public static partial void LogRunCompleted(this ILogger logger, string runId, long people);

    [LoggerMessage(101, LogLevel.Information, "Run {RunId} blocking rule {Rule} ({Columns}): {Comparisons} comparisons, largest block {LargestBlock}, share counted {PairSampleRate}")]
    public static partial void LogBlocking(this ILogger logger, string runId, string rule, string columns, long comparisons, long largestBlock, double pairSampleRate);
}
