namespace LocalClaude.Server;

/// <summary>A server to attach to does not accept connections: the run cannot start (exit 2), it is no verdict against the server.</summary>
public sealed class ServerUnreachableException(Uri url, string reason, Exception? inner = null)
    : Exception($"no server answers at {url}: {reason}", inner), Infrastructure.IExpectedFailure
{
    public Uri Url { get; } = url;
}
