using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.Relay;
using LocalClaude.ScriptedControls;
using LocalClaude.Tests.Sandbox;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

/// <summary>
/// The sandbox's relay forwards only Claude Code's own requests to its one upstream. Each attack is sent raw on the
/// relay's one allowed port; a second loopback listener plays another service on the host and must see nothing, the
/// upstream must not see the refused request, and a real Messages request through the same relay still works.
/// </summary>
public sealed class RelayForwardingTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ScriptedAnthropicServer _upstream = null!;
    private RecordingProxy _relay = null!;
    private ReachabilityListener _other = null!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await ScriptedAnthropicServer.StartAsync(new NoOpScript("through the relay"), Ct);
        _relay = await RecordingProxy.StartRelayAsync(_upstream.BaseUrl, Ct);
        _other = ReachabilityListener.Start(IPAddress.Loopback);
    }

    public async ValueTask DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _upstream.DisposeAsync();
        await _other.DisposeAsync();
    }

    private string RelayHost => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_relay.BaseUrl.Port}");
    private int Other => _other.Port;

    [Fact]
    public Task A_network_path_target_to_another_loopback_port_is_refused() =>
        AssertRefusedAsync($"GET //127.0.0.1:{Other}/x HTTP/1.1\r\nHost: {RelayHost}\r\n\r\n", 400, "invalid_request_error");

    [Fact]
    public Task A_network_path_target_naming_localhost_is_refused() =>
        AssertRefusedAsync(Post($"//localhost:{Other}/v1/messages", RelayHost), 400, "invalid_request_error");

    [Fact]
    public async Task A_network_path_target_naming_ipv6_loopback_is_refused()
    {
        ReachabilityListener? v6 = null;
        try { v6 = ReachabilityListener.Start(IPAddress.IPv6Loopback, Other); }
        catch (SocketException) { } // no ::1 here: the IPv4 listener on the same port still must see nothing
        await using (v6)
        {
            await AssertRefusedAsync($"GET //[::1]:{Other}/x HTTP/1.1\r\nHost: {RelayHost}\r\n\r\n", 400, "invalid_request_error");
            (v6?.Connections ?? 0).Should().Be(0);
        }
    }

    [Fact]
    public Task A_network_path_target_with_user_info_is_refused() =>
        AssertRefusedAsync($"GET //user@127.0.0.1:{Other}/x HTTP/1.1\r\nHost: {RelayHost}\r\n\r\n", 400, "invalid_request_error");

    [Fact]
    public Task An_absolute_form_target_to_another_port_is_refused() =>
        AssertRefusedAsync($"GET http://127.0.0.1:{Other}/ HTTP/1.1\r\nHost: 127.0.0.1:{Other}\r\n\r\n", 400, "invalid_request_error");

    [Fact]
    public Task A_CONNECT_request_is_refused() =>
        AssertRefusedAsync($"CONNECT 127.0.0.1:{Other} HTTP/1.1\r\nHost: 127.0.0.1:{Other}\r\n\r\n", 400, "invalid_request_error");

    [Fact]
    public async Task Unknown_paths_and_methods_are_refused()
    {
        // llama-server's own endpoints (POST /props changes its settings) and the allowed paths with other methods.
        await AssertRefusedAsync(Post("/props", RelayHost), 404, "not_found_error");
        await AssertRefusedAsync($"GET /slots HTTP/1.1\r\nHost: {RelayHost}\r\n\r\n", 404, "not_found_error");
        await AssertRefusedAsync($"GET /v1/messages HTTP/1.1\r\nHost: {RelayHost}\r\n\r\n", 405, "invalid_request_error");
        await AssertRefusedAsync($"DELETE /v1/messages HTTP/1.1\r\nHost: {RelayHost}\r\n\r\n", 405, "invalid_request_error");
        await AssertRefusedAsync($"TRACE /api/hello HTTP/1.1\r\nHost: {RelayHost}\r\n\r\n", 405, "invalid_request_error");
    }

    [Theory]
    [InlineData("/v1/messages/%2e%2e/%2e%2e/props")]
    [InlineData("/v1/messages/../../props")]
    [InlineData("/v1/%2E%2E/v1/messages")]
    [InlineData("/v1/messages%2f..%2f..%2fprops")]
    [InlineData("/v1//messages")]
    [InlineData("/v1/messages/")]
    public async Task Traversal_and_encoded_paths_are_refused(string target)
    {
        var response = await SendRawAsync(Post(target, RelayHost));
        response.Status.Should().BeInRange(400, 499);
        await AssertUntouchedAndStillWorkingAsync(upstreamRequestsBefore: 0);
    }

    [Fact]
    public Task A_query_with_encoded_or_odd_characters_is_refused() =>
        AssertRefusedAsync(Post($"/v1/messages?beta=true&x=%2f%2f127.0.0.1:{Other}", RelayHost), 400, "invalid_request_error");

    [Fact]
    public Task A_host_header_naming_another_service_is_refused() =>
        AssertRefusedAsync(Post("/v1/messages?beta=true", $"127.0.0.1:{Other}"), 400, "invalid_request_error");

    [Fact]
    public Task An_h2c_upgrade_is_refused() =>
        AssertRefusedAsync(Post("/v1/messages", RelayHost, "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"),
            400, "invalid_request_error");

    [Fact]
    public async Task Forwarding_and_proxy_headers_from_the_client_do_not_reach_the_upstream()
    {
        var headers = $"X-Forwarded-Host: 127.0.0.1:{Other}\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\nForwarded: host=127.0.0.1:{Other}\r\n"
                      + "Proxy-Authorization: Basic eDp5\r\nX-HTTP-Method-Override: GET\r\nX-Original-URL: /props\r\n";
        var response = await SendRawAsync(Post("/v1/messages?beta=true", RelayHost, headers));

        response.Status.Should().Be(200);
        var seen = _upstream.Requests.Should().ContainSingle().Which;
        (((string, string))((seen.Method, seen.Path))).Should().Be(("POST", "/v1/messages"));
        seen.Headers["host"].Should().Be(_upstream.Url.Replace("http://", ""));
        Assert.DoesNotContain(seen.Headers.Keys, h => h.StartsWith("x-forwarded", StringComparison.OrdinalIgnoreCase)
            || h is "forwarded" or "proxy-authorization" or "x-http-method-override" or "x-original-url");
        _other.Connections.Should().Be(0);
    }

    [Fact]
    public async Task A_request_smuggled_behind_conflicting_framing_reaches_nothing()
    {
        // Content-Length says the smuggled request is body, chunked framing says it is the next request.
        var smuggled = $"GET //127.0.0.1:{Other}/x HTTP/1.1\r\nHost: {RelayHost}\r\n\r\n";
        var body = "0\r\n\r\n" + smuggled;
        var raw = $"POST /v1/messages HTTP/1.1\r\nHost: {RelayHost}\r\nContent-Type: application/json\r\n"
                  + $"Content-Length: {body.Length}\r\nTransfer-Encoding: chunked\r\n\r\n{body}";
        var response = await SendRawAsync(raw, readAll: true);

        _other.Connections.Should().Be(0);
        response.Text.Should().NotContain(_other.Marker);
        _upstream.Requests.Should().NotContain(r => r.Path != "/v1/messages");
        await AssertStillWorkingAsync();
    }

    [Fact]
    public async Task The_allowed_requests_reach_the_upstream_with_their_query()
    {
        var messages = await SendRawAsync(Post("/v1/messages?beta=true", RelayHost));
        var count = await SendRawAsync(Post("/v1/messages/count_tokens?beta=true", $"localhost:{_relay.BaseUrl.Port}"));
        var hello = await SendRawAsync($"HEAD /api/hello HTTP/1.1\r\nHost: {RelayHost}\r\n\r\n");

        ((messages.Status, count.Status, hello.Status)).Should().Be((200, 200, 200));
        messages.Text.Should().Contain("event: message_stop");
        _upstream.Requests.Select(r => $"{r.Method} {r.Path}{r.QueryString}").Should().Equal(["POST /v1/messages?beta=true", "POST /v1/messages/count_tokens?beta=true", "HEAD /api/hello"]);
    }

    private static string Post(string target, string host, string extraHeaders = "")
    {
        var body = FixtureBuilder.Body("hello").ToJsonString();
        return $"POST {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nanthropic-version: 2023-06-01\r\n{extraHeaders}"
               + $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
    }

    private async Task AssertRefusedAsync(string raw, int status, string errorType)
    {
        var before = _upstream.Requests.Count;
        var response = await SendRawAsync(raw);
        response.Status.Should().Be(status);
        var error = JsonNode.Parse(response.Body)!;
        ((string?)error["type"]).Should().Be("error");
        ((string?)error["error"]!["type"]).Should().Be(errorType);
        response.Text.Should().NotContain(_other.Marker);
        await AssertUntouchedAndStillWorkingAsync(before);
    }

    private async Task AssertUntouchedAndStillWorkingAsync(int upstreamRequestsBefore)
    {
        _other.Connections.Should().Be(0);
        _upstream.Requests.Count.Should().Be(upstreamRequestsBefore);
        await AssertStillWorkingAsync();
    }

    /// <summary>A Messages request as Claude Code sends it still goes through, to the upstream.</summary>
    private async Task AssertStillWorkingAsync()
    {
        var before = _upstream.Requests.Count;
        var response = await SendRawAsync(Post("/v1/messages?beta=true", RelayHost));
        response.Status.Should().Be(200);
        response.Text.Should().Contain("event: message_stop");
        _upstream.Requests.Count.Should().Be(before + 1);
        _upstream.Requests[^1].Path.Should().Be("/v1/messages");
        _other.Connections.Should().Be(0);
    }

    private Task<RawResponse> SendRawAsync(string raw, bool readAll = false) =>
        RawResponse.SendAsync(new IPEndPoint(IPAddress.Loopback, _relay.BaseUrl.Port), raw, readAll, Ct);
}

/// <summary>One raw HTTP/1.1 exchange on a fresh connection: the bytes exactly as written, the first answer as read.</summary>
internal sealed class RawResponse
{
    private RawResponse(string text)
    {
        Text = text;
        var head = text.Split("\r\n\r\n", 2);
        var statusLine = head[0].Split("\r\n")[0].Split(' ');
        Status = statusLine.Length > 1 && int.TryParse(statusLine[1], CultureInfo.InvariantCulture, out var s) ? s : 0;
        Body = head.Length > 1 ? head[1] : "";
    }

    /// <summary>0 when nothing came back.</summary>
    public int Status { get; }
    public string Body { get; }
    /// <summary>Everything read, head and body.</summary>
    public string Text { get; }

    /// <summary>
    /// Writes <paramref name="raw"/> and reads the first answer (by Content-Length), or with <paramref name="readAll"/>
    /// everything until the server closes or goes quiet for a second.
    /// </summary>
    public static async Task<RawResponse> SendAsync(EndPoint endPoint, string raw, bool readAll, CancellationToken ct)
    {
        using var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(raw), ct);
        return new RawResponse(await ReadAnswerAsync(stream, raw.StartsWith("HEAD ", StringComparison.Ordinal), readAll, ct));
    }

    public static async Task<string> ReadAnswerAsync(Stream stream, bool head, bool readAll, CancellationToken ct)
    {
        var seen = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
            quiet.CancelAfter(readAll ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(20));
            int n;
            try { n = await stream.ReadAsync(buffer, quiet.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { break; }
            catch (IOException) { break; }
            if (n == 0) break;
            seen.Write(buffer, 0, n);
            if (!readAll && Complete(Encoding.UTF8.GetString(seen.ToArray()), head)) break;
        }
        return Encoding.UTF8.GetString(seen.ToArray());
    }

    private static bool Complete(string text, bool head)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return false;
        if (head) return true;
        var headers = text[..end].Split("\r\n");
        var length = headers.FirstOrDefault(h => h.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase));
        if (length is not null) return Encoding.UTF8.GetByteCount(text[(end + 4)..]) >= int.Parse(length.Split(':')[1].Trim(), CultureInfo.InvariantCulture);
        if (headers.Any(h => h.StartsWith("transfer-encoding:", StringComparison.OrdinalIgnoreCase)))
            return text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal);
        return false;
    }
}
