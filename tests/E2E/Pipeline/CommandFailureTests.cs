using System.Net;
using System.Net.Sockets;
using System.Text;
using LocalClaude.E2E.Tests.Launcher;
using LocalClaude.Infrastructure;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Pipeline;

/// <summary>
/// Every command, met with a failure it did not plan for (a server that hangs up mid-answer, a full disk, a path it
/// cannot write or read), says so in one line and exits 2: never a stack trace.
/// </summary>
public sealed class CommandFailureTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _scratch = new();
    /// <summary>A cache that cannot be created: /dev/full is a device, not a folder.</summary>
    private static readonly Dictionary<string, string?> NoHome = new() { [LocalClaudeHome.EnvironmentVariable] = "/dev/full/home" };

    private async Task<CommandResult> FailsInOneLineAsync(string[] arguments, IReadOnlyDictionary<string, string?>? environment = null, bool saysWhyOnStdout = false)
    {
        var result = await LauncherCli.RunAsync(arguments, environment, LauncherCli.Repo.Root, TestContext.Current.CancellationToken);
        output.WriteLine($"exit {result.ExitCode}\n--- stdout\n{result.StandardOutput}\n--- stderr\n{result.StandardError}");
        result.ExitCode.Should().Be(ExitCodes.CouldNotRun);
        var errors = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (!saysWhyOnStdout) errors.Should().ContainSingle(l => l.StartsWith("error:", StringComparison.Ordinal));
        foreach (var text in new[] { result.StandardOutput, result.StandardError })
        {
            text.Should().NotMatchRegex(@"(?m)^\s+at \S+\(");
            text.Should().NotContain("Unhandled exception");
        }
        return result;
    }

    [Fact]
    public async Task Replay_bench_against_a_server_that_hangs_up_mid_answer()
    {
        await using var server = new HangUpServer();
        var result = await FailsInOneLineAsync(["replay", "fixtures/traffic/model-haiku", "--url", server.BaseUrl, "--bench", "--out", _scratch.Combine("r.json")]);
        result.StandardError.Should().Contain("replay failed unexpectedly");
        result.StandardError.Should().MatchRegex(@"details in \S+\.log");
    }

    [Fact]
    public async Task Conformance_with_a_result_file_it_cannot_write()
    {
        // A server that accepts connections (a refused URL would stop conformance before it writes anything).
        await using var server = new ClosingListener(IPAddress.Loopback);
        var result = await FailsInOneLineAsync(["conformance", "--server-url", $"http://127.0.0.1:{server.Port}", "--checks", "message.system-blocks", "--out", "/dev/full/c.json"]);
        result.StandardError.Should().Contain("IOException: The file '/dev/full'");
    }

    [Fact]
    public async Task Conformance_against_a_url_that_refuses_connections()
    {
        var result = await FailsInOneLineAsync(["conformance", "--server-url", $"http://127.0.0.1:{LocalClaude.Server.FreePort.Pick()}", "--checks", "message.system-blocks"]);
        result.StandardError.Should().Contain("connection refused");
    }

    [Fact]
    public async Task Report_into_an_unwritable_folder() =>
        await FailsInOneLineAsync(["report", "--merge", "reports/gate-demo/candidate", "--out", "/dev/full/report"]);

    [Fact]
    public async Task Gate_into_an_unwritable_folder() =>
        await FailsInOneLineAsync(["gate", "--baseline", "reports/gate-demo/baseline", "--candidate", "reports/gate-demo/candidate", "--profile", "cpu-tiny", "--out", "/dev/full/gate"]);

    [Fact]
    public async Task Validate_a_file_it_cannot_read()
    {
        // validate prints one verdict line per file on stdout, an unreadable one included.
        var result = await FailsInOneLineAsync(["validate", _scratch.Path], saysWhyOnStdout: true);
        result.StandardOutput.Trim().Should().Be($"{_scratch.Path}: not recognised: cannot read the file: Access to the path '{_scratch.Path}' is denied.");
    }

    [Fact]
    public async Task Doctor_writing_to_a_full_disk()
    {
        // stdout on /dev/full: every write fails with "No space left on device".
        var result = await ExternalCommand.RunAsync("sh", ["-c", $"exec '{LauncherCli.Localclaude}' doctor > /dev/full"], new CommandOptions
        {
            WorkingDirectory = LauncherCli.Repo.Root,
            Timeout = TimeSpan.FromMinutes(3),
            ThrowOnFailure = false,
        }, TestContext.Current.CancellationToken);
        output.WriteLine($"exit {result.ExitCode}\n{result.StandardError}");
        result.ExitCode.Should().Be(ExitCodes.CouldNotRun);
        result.StandardError.Should().MatchRegex(@"^error: doctor failed unexpectedly: IOException: No space left on device; details in \S+\.log\s*$");
    }

    [Fact]
    public async Task Setup_with_a_cache_it_cannot_create() =>
        await FailsInOneLineAsync(["setup", "--skip-system-packages", "--llama-server", "/bin/true", "--name", "x"], NoHome);

    [Fact]
    public async Task Serve_with_a_cache_it_cannot_create() => await FailsInOneLineAsync(["serve", "cpu-tiny"], NoHome);

    [Fact]
    public async Task E2E_with_a_cache_it_cannot_create() =>
        await FailsInOneLineAsync(["e2e", "--tasks", "answer-port", "--out", _scratch.Combine("e.json")], NoHome);

    [Fact]
    public async Task Record_with_a_cache_it_cannot_create() =>
        await FailsInOneLineAsync(["record", "x", "--upstream", "http://127.0.0.1:9/", "--out", "/dev/full/rec", "--", "-p", "hi"], NoHome);

    [Fact]
    public async Task Launch_into_a_work_folder_that_cannot_exist() =>
        await FailsInOneLineAsync(["launch", "local", "--profile", "cpu-tiny", "--workdir", "/dev/full/x"], NoHome);

    [Fact]
    public async Task Bad_arguments_are_bad_input() =>
        await FailsInOneLineAsync(["gate", "--baseline", "reports/gate-demo/baseline", "--candidate", "reports/gate-demo/candidate", "--no-such-option"]);

    public void Dispose() => _scratch.Dispose();

    /// <summary>Reads a request, sends the head of a streamed answer and one event, then closes the connection.</summary>
    private sealed class HangUpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        public HangUpServer()
        {
            _listener.Start();
            _accepting = AcceptAsync(_stop.Token);
        }

        public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        private async Task AcceptAsync(CancellationToken ct)
        {
            try
            {
                while (await _listener.NextOrNullAsync(ct) is { } accepted)
                {
                    using var client = accepted;
                    var stream = client.GetStream();
                    var buffer = new byte[65536];
                    var head = new StringBuilder();
                    while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var n = await stream.ReadAsync(buffer, ct);
                        if (n == 0) break;
                        head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
                        "40\r\nevent: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"x\"}}\n\n\r\n"), ct);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException) { }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
