namespace LocalClaude.Client;

/// <summary>
/// A request that failed after its connection was made (or taken from the pool) and before any status line: what a
/// client meets when llama-server closes a kept-alive connection just as the next request goes out (conformance check
/// <c>http.keep-alive</c>). Claude Code sends such a request again; so do the suite's clients, once.
/// </summary>
public static class LostConnection
{
    /// <summary>True for a connection lost before the answer; false for "nothing listens" and every other failure.</summary>
    public static bool BeforeAnswer(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.ResponseEnded || e.InnerException is IOException;
}
