using System.Text.Json.Nodes;
using LocalClaude.Agents;
using LocalClaude.Infrastructure;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Pipeline;

/// <summary>
/// One task through Claude Code's interactive UI, by the same driver: the sandbox under tmux, the first-run screens
/// answered, the instruction typed, the oracle CONTROL playing the solution, the hidden checker deciding.
/// </summary>
public sealed class InteractiveSmokeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _scratch = new();

    [Fact]
    public async Task A_task_typed_into_the_interactive_ui_under_tmux_passes_with_the_oracle_control()
    {
        var ct = TestContext.Current.CancellationToken;
        var driver = new E2EDriver(await E2EParts.RequireRunnerAsync());
        MissingPart.Require(RunEnvironment.Which("tmux") is not null, "tmux is not installed (apt-get install -y tmux)");
        var task = E2EParts.Task("create-json-config");

        var result = await driver.RunInteractiveTrialAsync(task, ControlBackend.Create(ControlKind.Oracle), new E2ERunOptions
        {
            RunDirectory = _scratch.Path,
            TimeoutCap = TimeSpan.FromSeconds(120),
            MaxOutputTokens = 256,
        }, ct);
        output.WriteLine($"first-run screens answered: {string.Join(", ", result.FirstRunScreens)}; {result.Wall.TotalSeconds:0.0} s");
        output.WriteLine(result.FinalScreen);
        output.WriteLine($"checker: {result.Check.Message}");

        Assert.True(result.TurnEnded, "the turn did not end in time");
        Assert.True(result.Passed, result.Check.Message);
        Assert.Equal(["Theme", "SecurityNotes", "TrustFolder"], result.FirstRunScreens.Distinct());
        // The oracle's closing words are on screen: every scripted call ran and the turn ended normally.
        var finalText = task.Oracle.FinalTextFor(Sandbox.SandboxSpec.DefaultWorkInside);
        Assert.Contains(finalText[..Math.Min(40, finalText.Length)], result.FinalScreen.Replace("\n", " "));
        var main = File.ReadLines(result.RequestsFile!).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(r => r["Path"]!.GetValue<string>() == "/v1/messages" && r["Body"]!.GetValue<string>().Contains("\"tools\"", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(task.Oracle.Steps.Count + 1, main.Count);
        // The interactive client, not the headless one, sent them.
        Assert.All(main, r => Assert.Contains("(external, cli)", r["Headers"]!["user-agent"]!.GetValue<string>()));
    }

    public void Dispose() => _scratch.Dispose();
}
