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

        result.TurnEnded.Should().BeTrue("the turn did not end in time");
        result.Passed.Should().BeTrue(result.Check.Message);
        result.FirstRunScreens.Distinct().Should().Equal(["Theme", "SecurityNotes", "TrustFolder"]);
        // The oracle's closing words are on screen: every scripted call ran and the turn ended normally.
        var finalText = task.Oracle.FinalTextFor(Sandbox.SandboxSpec.DefaultWorkInside);
        result.FinalScreen.Replace("\n", " ").Should().Contain(finalText[..Math.Min(40, finalText.Length)]);
        var main = File.ReadLines(result.RequestsFile!).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(r => r["Path"]!.GetValue<string>() == "/v1/messages" && r["Body"]!.GetValue<string>().Contains("\"tools\"", StringComparison.Ordinal))
            .ToList();
        main.Count.Should().Be(task.Oracle.Steps.Count + 1);
        // The interactive client, not the headless one, sent them.
        Assert.All(main, r => r["Headers"]!["user-agent"]!.GetValue<string>().Should().Contain("(external, cli)"));
    }

    public void Dispose() => _scratch.Dispose();
}
