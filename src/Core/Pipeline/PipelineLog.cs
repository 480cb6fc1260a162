using Microsoft.Extensions.Logging;

namespace DataFirst.Core.Pipeline;

internal static partial class PipelineLog
{
    [LoggerMessage(100, LogLevel.Information, "Run {RunId} completed: {People} estimated people")]
    public static partial void LogRunCompleted(this ILogger logger, string runId, long people);
}
