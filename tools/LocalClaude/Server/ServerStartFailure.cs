using LocalClaude.Infrastructure;

namespace LocalClaude.Server;

/// <summary>Why llama-server did not come up.</summary>
public enum ServerStartFailureKind
{
    BinaryMissing,
    ModelFileMissing,
    ModelFileUnreadable,
    ModelInvalid,
    OutOfMemory,
    PortTaken,
    BadArguments,
    Crashed,
    Timeout,
}

/// <summary>A failed start, classified, with the tail of the server's log.</summary>
public sealed class LlamaServerStartException(ServerStartFailureKind kind, string message, string? logFile = null, string logTail = "")
    : Exception(message + (logFile is null ? "" : $"\n  log: {logFile}") + (logTail.Length == 0 ? "" : $"\n--- last lines of the server log ---\n{logTail}")), IExpectedFailure
{
    public ServerStartFailureKind Kind { get; } = kind;
    public string? LogFile { get; } = logFile;
    public string LogTail { get; } = logTail;
}

/// <summary>Reads a failed server's log and says what went wrong.</summary>
public static class ServerStartFailureClassifier
{
    public static ServerStartFailureKind Classify(IReadOnlyList<string> logLines)
    {
        bool Any(params string[] needles) =>
            logLines.Any(l => needles.Any(n => l.Contains(n, StringComparison.OrdinalIgnoreCase)));

        if (Any("couldn't bind HTTP server socket", "address already in use")) return ServerStartFailureKind.PortTaken;
        if (Any("out of memory", "failed to allocate", "unable to allocate", "cudaMalloc failed", "std::bad_alloc",
                "ErrorOutOfDeviceMemory", "failed to create context", "not enough memory"))
            return ServerStartFailureKind.OutOfMemory;
        if (Any("invalid magic", "error loading model", "failed to load model", "unknown model architecture", "gguf_init"))
            return ServerStartFailureKind.ModelInvalid;
        if (Any("invalid argument", "error: unknown argument", "error while handling argument"))
            return ServerStartFailureKind.BadArguments;
        return ServerStartFailureKind.Crashed;
    }
}
