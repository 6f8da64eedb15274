using LocalClaude.Agents;
using LocalClaude.Controls;
using LocalClaude.Infrastructure;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Pipeline;

/// <summary>
/// One task through Claude Code's interactive UI: the sandbox under tmux, the first-run screens answered, the
/// instruction typed, the oracle CONTROL playing the solution, the hidden checker deciding.
/// </summary>
public sealed class InteractiveSmokeTests(ITestOutputHelper output) : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    [Fact]
    public async Task A_task_typed_into_the_interactive_ui_under_tmux_passes_with_the_oracle_control()
    {
        var ct = TestContext.Current.CancellationToken;
        var runner = await E2EParts.RequireRunnerAsync();
        MissingPart.Require(RunEnvironment.Which("tmux") is not null, "tmux is not installed (apt-get install -y tmux)");
        var task = E2EParts.Task("create-json-config");
        var work = task.PrepareWorkDirectory(Path.Combine(_scratch.Path, "work"));
        var home = Directory.CreateDirectory(Path.Combine(_scratch.Path, "home")).FullName;
        await using var control = await ScriptedAnthropicServer.StartAsync(new OracleScript(task.Oracle, Sandbox.SandboxSpec.DefaultWorkInside), ct);
        var invocation = new ClaudeCodeInvocation
        {
            Instruction = task.Definition.Instruction,
            AllowedTools = task.Definition.AllowedTools,
            MaxTurns = task.Definition.MaxTurns,
            Timeout = TimeSpan.FromMinutes(2),
            WorkDirectory = work,
            HomeDirectory = home,
            Backend = new ClaudeCodeBackend(control.BaseUrl, ControlBackend.ModelName, ControlBackend.AuthToken),
            TranscriptPath = Path.Combine(_scratch.Path, "unused.jsonl"),
            LogPath = Path.Combine(_scratch.Path, "unused.log"),
            MaxOutputTokens = 256,
        };
        var finalText = task.Oracle.FinalTextFor(Sandbox.SandboxSpec.DefaultWorkInside);
        string screen;
        await using (var ui = await InteractiveClaudeCode.StartAsync(runner, invocation, ct))
        {
            var answered = await ui.PassFirstRunScreensAsync(TimeSpan.FromSeconds(60), ct);
            output.WriteLine($"first-run screens answered: {string.Join(", ", answered)}");
            await ui.SubmitAsync(task.Definition.Instruction, ct);
            // The oracle's closing words on screen mean every scripted call ran and the turn ended.
            var needle = finalText[..Math.Min(40, finalText.Length)];
            (var done, screen) = await ui.WaitForScreenAsync(s => s.Replace("\n", " ").Contains(needle, StringComparison.Ordinal), TimeSpan.FromSeconds(90), ct);
            output.WriteLine(screen);
            Assert.True(done, $"the oracle's final text never showed; last screen:\n{screen}");
        }

        var check = await task.CheckAnswerAsync(work, finalText, cancellationToken: ct);
        output.WriteLine($"checker: {check.Message}");
        Assert.True(check.Passed, check.Message);
        var main = control.Requests.Where(r => r.Path == "/v1/messages" && r.Body.Contains("\"tools\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(task.Oracle.Steps.Count + 1, main.Count);
        // The interactive client, not the headless one, sent them.
        Assert.All(main, r => Assert.Contains("(external, cli)", r.Headers["user-agent"]));
    }

    public void Dispose() => _scratch.Dispose();
}
