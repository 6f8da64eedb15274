using LocalClaude.Infrastructure;
using LocalClaude.Launcher;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>
/// <c>launch api</c> and <c>launch subscription</c> run the user's claude as it is, with the user's HOME and
/// environment, minus what would route it away from Anthropic. A stand-in claude records what it got (no network here).
/// </summary>
[Collection(LauncherCollection.Name)]
public sealed class LaunchAnthropicTests(ITestOutputHelper output)
{
    private const string Recorder = """
        #!/bin/sh
        { echo "cwd=$(pwd)"; echo "args=$*"; env | sort; } > "$RECORD_TO"
        exit 7
        """;

    private static Dictionary<string, string> Recorded(string file) =>
        File.ReadAllLines(file).Where(l => l.Contains('=')).Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);

    [Theory]
    [InlineData("api")]
    [InlineData("subscription")]
    public async Task Claude_runs_with_the_users_home_and_no_override_that_routes_elsewhere(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scratch = new Scratch();
        var claude = Path.Combine(scratch.Root, "bin", "claude");
        Directory.CreateDirectory(Path.GetDirectoryName(claude)!);
        File.WriteAllText(claude, Recorder);
        File.SetUnixFileMode(claude, (UnixFileMode)0b111_101_101);
        var record = Path.Combine(scratch.Root, "record.txt");
        var config = ClaudeConfigFingerprint.Take();

        var result = await LauncherCli.RunAsync(["launch", backend, "--workdir", scratch.Work, "--claude", claude, "--", "--model", "opus", "hi there"],
            new Dictionary<string, string?>
            {
                ["RECORD_TO"] = record,
                ["ANTHROPIC_API_KEY"] = "sk-ant-test-key",
                // Left over from pasting 'serve' exports: must not reach an Anthropic launch.
                ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9",
                ["ANTHROPIC_AUTH_TOKEN"] = "localclaude",
                ["ANTHROPIC_SMALL_FAST_MODEL"] = "cpu-tiny",
                // The user's own choice stays.
                ["ANTHROPIC_MODEL"] = "claude-opus-5-5",
            }, scratch.Root, ct);
        output.WriteLine(result.StandardOutput + result.StandardError);

        result.ExitCode.Should().Be(7); // claude's own exit code
        result.StandardOutput.Should().Contain($"backend   {backend}");
        result.StandardOutput.Should().Contain($"work dir  {scratch.Work}");
        result.StandardOutput.Should().Contain($"HOME      {ClaudeConfigFingerprint.UserHome} ");
        var seen = Recorded(record);
        seen["cwd"].Should().Be(scratch.Work);
        seen["args"].Should().Be("--model opus hi there");
        seen["HOME"].Should().Be(ClaudeConfigFingerprint.UserHome);
        seen["ANTHROPIC_MODEL"].Should().Be("claude-opus-5-5");
        foreach (var name in new[] { "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_SMALL_FAST_MODEL" })
        {
            seen.ContainsKey(name).Should().BeFalse($"{name} reached claude");
            result.StandardOutput.Should().Contain($"unset     {name}:");
        }
        if (backend == "api") seen[AnthropicEnvironment.ApiKeyVariable].Should().Be("sk-ant-test-key");
        else seen.ContainsKey(AnthropicEnvironment.ApiKeyVariable).Should().BeFalse("the subscription launch passed an API key on");
        ClaudeConfigFingerprint.Render(ClaudeConfigFingerprint.Take()).Should().Be(ClaudeConfigFingerprint.Render(config));
    }

    [Fact]
    public async Task Api_without_a_key_exits_2_and_runs_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scratch = new Scratch();
        var marker = Path.Combine(scratch.Root, "ran");
        var claude = Path.Combine(scratch.Root, "claude");
        File.WriteAllText(claude, $"#!/bin/sh\ntouch {ExternalCommand.Quote(marker)}\n");
        File.SetUnixFileMode(claude, (UnixFileMode)0b111_101_101);
        var result = await LauncherCli.RunAsync(["launch", "api", "--claude", claude], new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = null }, scratch.Work, ct);
        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("needs your Anthropic API key");
        File.Exists(marker).Should().BeFalse();
    }
}
