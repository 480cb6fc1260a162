using System.Text;

namespace DataFirst.Core.Storage;

/// <summary>
/// How text is written into a blob or a spool file: UTF-8 without a byte-order mark, through a 64 KiB buffer, leaving
/// the stream to its owner (which completes or uploads it after the writer is flushed).
/// </summary>
internal static class BlobText
{
    public static StreamWriter Writer(Stream stream) => new(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
}
