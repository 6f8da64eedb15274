using LocalClaude.Infrastructure;

namespace LocalClaude.Gguf;

/// <summary>A GGUF file that does not follow the format; names the file and the byte offset of the problem.</summary>
public sealed class GgufFormatException : Exception, IExpectedFailure
{
    public GgufFormatException(string source, long offset, string detail, Exception? inner = null)
        : base($"{source}: at offset {offset}: {detail}", inner)
    {
        Source = source;
        Offset = offset;
        Detail = detail;
    }

    /// <summary>The file path (or the name given for a stream).</summary>
    public new string Source { get; }

    public long Offset { get; }

    public string Detail { get; }
}
