using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using LocalClaude.Infrastructure;
using LocalClaude.Server;

namespace LocalClaude.Tests.Server;

/// <summary>The server lifecycle against the real llama-server binary that setup provisioned.</summary>
public sealed class LlamaServerProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_generated_model_is_loaded_by_the_real_server_and_answers_messages()
    {
        var launch = ServerTestProfiles.RunnableCpuLaunch();
        await using var server = await LlamaServerProcess.StartAsync(launch, Ct);

        using var http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", launch.Profile.ApiKey);
        var body = """{"model":"claude-haiku-4-5-20251001","max_tokens":8,"temperature":0,"top_k":1,"messages":[{"role":"user","content":"Hello"}]}""";
        using var response = await http.PostAsync("/v1/messages", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        response.IsSuccessStatusCode.Should().BeTrue($"{(int)response.StatusCode}: {text}");
        var message = JsonNode.Parse(text)!;
        ((string?)message["type"]).Should().Be("message");
        ((string?)message["role"]).Should().Be("assistant");
        (message["usage"]?["output_tokens"]?.GetValue<int>() > 0).Should().BeTrue(text);
        ((string?)message["model"]).Should().Be(launch.Profile.ServedModelName);
    }

    [Fact]
    public async Task A_missing_model_file_is_named_with_its_models_conf_line_before_any_server_starts()
    {
        var launch = ServerTestProfiles.CpuLaunch(p => p with { Model = "/nonexistent/model-q4.gguf" });
        var before = ProcessTable.Matching(launch.Binary).Count;

        var e = (await FluentActions.Awaiting(() => LlamaServerProcess.StartAsync(launch, Ct)).Should().ThrowExactlyAsync<LlamaServerStartException>()).Which;

        e.Kind.Should().Be(ServerStartFailureKind.ModelFileMissing);
        e.Message.Should().Contain("/nonexistent/model-q4.gguf");
        e.Message.Should().Contain($"{launch.Profile.LocationOf("MODEL")}");
        e.LogFile.Should().BeNull();
        ProcessTable.Matching(launch.Binary).Count.Should().Be(before);
    }

    [Fact]
    public async Task A_taken_port_is_reported_as_such()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var launch = ServerTestProfiles.RunnableCpuLaunch(port: port);

        var e = (await FluentActions.Awaiting(() => LlamaServerProcess.StartAsync(launch, Ct)).Should().ThrowExactlyAsync<LlamaServerStartException>()).Which;

        e.Kind.Should().Be(ServerStartFailureKind.PortTaken);
        e.Message.Should().Contain("port");
        e.LogTail.Should().Contain(port.ToString());
    }

    [Fact]
    public async Task A_file_that_is_not_a_model_makes_the_server_exit_at_once_and_is_classified()
    {
        var bogus = Path.Combine(Path.GetTempPath(), $"not-a-model-{Guid.NewGuid():N}.gguf");
        await File.WriteAllBytesAsync(bogus, Encoding.ASCII.GetBytes(new string('x', 4096)), Ct);
        try
        {
            var launch = ServerTestProfiles.CpuLaunch(p => p with { Model = bogus });
            var clock = Stopwatch.StartNew();
            var e = (await FluentActions.Awaiting(() => LlamaServerProcess.StartAsync(launch, Ct)).Should().ThrowExactlyAsync<LlamaServerStartException>()).Which;
            e.Kind.Should().Be(ServerStartFailureKind.ModelInvalid);
            e.LogTail.Should().Contain("magic");
            File.Exists(e.LogFile).Should().BeTrue("the server log is kept for the user");
            (clock.Elapsed < TimeSpan.FromSeconds(30)).Should().BeTrue("an exiting server is noticed at once, not at the health deadline");
        }
        finally
        {
            File.Delete(bogus);
        }
    }

    [Fact]
    public async Task An_argument_the_build_does_not_know_is_classified()
    {
        var launch = ServerTestProfiles.RunnableCpuLaunch(p => p with { ExtraArgs = [.. p.ExtraArgs, "--no-such-llama-option"] });
        var e = (await FluentActions.Awaiting(() => LlamaServerProcess.StartAsync(launch, Ct)).Should().ThrowExactlyAsync<LlamaServerStartException>()).Which;
        e.Kind.Should().Be(ServerStartFailureKind.BadArguments);
        e.LogTail.Should().Contain("--no-such-llama-option");
    }

    [Fact]
    public async Task A_context_too_large_for_memory_is_reported_as_out_of_memory()
    {
        // The tiny model's KV cache takes 512 bytes a token (2 layers x K,V x 64 x f16): ask for four times this machine's memory.
        var memory = long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        var context = (int)Math.Min(int.MaxValue, memory * 4 / 512);
        var launch = ServerTestProfiles.RunnableCpuLaunch(p => p with { ContextSize = context });
        var e = (await FluentActions.Awaiting(() => LlamaServerProcess.StartAsync(launch, Ct)).Should().ThrowExactlyAsync<LlamaServerStartException>()).Which;
        e.Kind.Should().Be(ServerStartFailureKind.OutOfMemory);
        e.Message.Should().Contain("out of memory");
    }

    [Fact]
    public async Task Disposing_stops_the_server_and_leaves_no_process()
    {
        var launch = ServerTestProfiles.RunnableCpuLaunch();
        var server = await LlamaServerProcess.StartAsync(launch, Ct);
        var children = ProcessTable.ChildrenOf(server.GuardPid);
        children.Should().Contain(c => c.CommandLine.Contains(launch.Binary));

        await server.DisposeAsync();

        FreePort.IsListening(server.Port).Should().BeFalse("the port is closed");
        ProcessTable.Snapshot().Should().NotContain(p => p.Pid == server.GuardPid || children.Any(c => c.Pid == p.Pid));
        ProcessTable.Matching($"--port {server.Port} ").Should().BeEmpty();
    }

    [Fact]
    public async Task Killing_the_owning_process_with_SIGKILL_still_stops_the_server()
    {
        var launch = ServerTestProfiles.RunnableCpuLaunch();
        var repo = RepoLayout.Find();
        var port = FreePort.Pick();
        var ready = new TaskCompletionSource();
        var output = new StringBuilder();
        using var serve = new Process
        {
            StartInfo = new ProcessStartInfo(Path.Combine(repo.Root, "tools", "localclaude"), ["serve", launch.Profile.Name, "--port", port.ToString()])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        serve.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); if (e.Data?.StartsWith("ready in") == true) ready.TrySetResult(); };
        serve.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        serve.Start();
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(3), Ct);
            FreePort.IsListening(port).Should().BeTrue();

            serve.Kill(entireProcessTree: false); // SIGKILL to the CLI only: nothing runs its cleanup code.

            var deadline = Stopwatch.StartNew();
            while ((FreePort.IsListening(port) || ProcessTable.Matching($"--port {port} ").Count > 0) && deadline.Elapsed < TimeSpan.FromSeconds(20))
                await Task.Delay(200, Ct);
            FreePort.IsListening(port).Should().BeFalse($"llama-server still listens on {port} after its owner was killed:\n{output}");
            ProcessTable.Matching($"--port {port} ").Should().BeEmpty();
        }
        finally
        {
            if (!serve.HasExited) serve.Kill(entireProcessTree: true);
            foreach (var p in ProcessTable.Matching($"--port {port} "))
                try { Process.GetProcessById(p.Pid).Kill(); } catch (ArgumentException) { }
        }
    }
}
