using LocalClaude.Client;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>
/// The HTTP connection under the Messages API. Claude Code (Bun) pools keep-alive connections and sends its next
/// request on the same one the moment an answer ends; a server that then closes it makes that request fail
/// (Claude Code: api_retry, error "unknown", about 0.5 s lost).
/// </summary>
internal static class ConnectionChecks
{
    public const string Area = "http";

    /// <summary>How long to watch a connection after an answer: Claude Code's next request follows within milliseconds.</summary>
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(1);

    public static IEnumerable<ConformanceCheck> All =>
    [
        new("http.keep-alive", Area,
            "A connection the server keeps alive (no Connection: close) stays open after a streamed and a non-streamed answer and serves the next request",
            KeepAlive),
    ];

    private static async Task<CheckVerdict> KeepAlive(CheckContext c, CancellationToken ct)
    {
        var followUp = Greedy(c.Model, maxTokens: 1).ToJsonString();
        var streamed = await ConnectionReuseProbe.RunAsync(c.Client.BaseUrl, c.ApiKey, CheckContext.MessagesPath,
            Greedy(c.Model, maxTokens: 8, stream: true).ToJsonString(), followUp, Watch, ct);
        var plain = await ConnectionReuseProbe.RunAsync(c.Client.BaseUrl, c.ApiKey, CheckContext.MessagesPath,
            Greedy(c.Model, maxTokens: 8).ToJsonString(), followUp, Watch, ct);
        var note = $"streamed: {streamed.Describe()}; non-streamed: {plain.Describe()}";
        var evidence = new Results.Evidence
        {
            Request = $"POST {CheckContext.MessagesPath} (stream, then not) with Connection: keep-alive, then POST {CheckContext.MessagesPath} again on the same connection",
            Status = streamed.Status,
            Note = note,
        };

        (string Answer, ConnectionReuse Reuse)[] answers = [("streamed", streamed), ("non-streamed", plain)];
        if (answers.FirstOrDefault(a => a.Reuse.Error is not null || a.Reuse.Status != 200 || (!a.Reuse.ClosedByServer && a.Reuse.FollowUpStatus != 200))
            is { Reuse: not null } broken)
            return CheckVerdict.Fail($"{broken.Answer} answer: {broken.Reuse.Describe()}") with { Evidence = evidence };

        var dropped = answers.Where(a => a.Reuse.ClosedByServer && a.Reuse.PromisedToStayOpen).Select(a => a.Answer).ToArray();
        if (dropped.Length > 0)
            return CheckVerdict.Deviation(
                $"the server closed the connection right after a complete {string.Join(" and a ", dropped)} answer " +
                "whose headers kept it alive (no Connection: close, RFC 9112 §9.6 asks for one); a client that reuses it at once " +
                "(Claude Code does) fails that request and retries it") with
            { Evidence = evidence };
        return CheckVerdict.Pass(note) with { Evidence = evidence };
    }
}
