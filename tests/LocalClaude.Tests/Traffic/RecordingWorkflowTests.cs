using LocalClaude.Infrastructure;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

/// <summary><c>record</c>'s checks of what it was asked, before anything is looked for or started (each is an exit-2 error in the CLI).</summary>
public sealed class RecordingWorkflowTests
{
    private static readonly LocalClaudeContext Context = LocalClaudeContext.Discover();

    [Theory]
    [InlineData("../escape", "fixture name '../escape'")]
    [InlineData(".hidden", "fixture name '.hidden'")]
    public async Task A_fixture_name_that_is_no_plain_folder_name_is_refused(string name, string message)
    {
        var error = (await FluentActions.Awaiting(() => RunAsync(new RecordingRequest { Name = name, ClaudeArguments = ["-p", "hi"] })).Should().ThrowExactlyAsync<ArgumentException>()).Which;
        error.Message.Should().StartWith(message);
    }

    [Fact]
    public async Task A_headless_recording_needs_a_prompt() =>
        ((await FluentActions.Awaiting(() => RunAsync(new RecordingRequest { Name = "x" })).Should().ThrowExactlyAsync<ArgumentException>()).Which).Message.Should().Contain("needs -p PROMPT");

    [Fact]
    public async Task An_interactive_recording_needs_a_turn() =>
        ((await FluentActions.Awaiting(() =>
            RunAsync(new RecordingRequest { Name = "x", Interactive = true })).Should().ThrowExactlyAsync<ArgumentException>()).Which).Message.Should().Contain("at least one --input");

    [Theory]
    [InlineData("NOEQUALS", null, null, "--env 'NOEQUALS': expected NAME=VALUE")]
    [InlineData(null, "cpu-tiny", "http://127.0.0.1:1", "give --profile or --upstream, not both")]
    [InlineData(null, null, "control:nonesuch", "unknown control 'nonesuch'")]
    [InlineData(null, null, "ftp://127.0.0.1/", "--upstream 'ftp://127.0.0.1/' is neither an http(s) URL nor control:NAME")]
    public async Task Bad_options_are_refused_with_the_option_named(string? env, string? profile, string? upstream, string message)
    {
        var error = (await FluentActions.Awaiting(() => RunAsync(new RecordingRequest
        {
            Name = "x",
            ClaudeArguments = ["-p", "hi"],
            Environment = env is null ? [] : [env],
            Profile = profile,
            Upstream = upstream,
            // Never reached: the request is refused before Claude Code is looked for.
            ClaudeBinary = "/nonexistent/claude",
        })).Should().ThrowExactlyAsync<ArgumentException>()).Which;
        error.Message.Should().StartWith(message);
    }

    private static Task<RecordingOutcome> RunAsync(RecordingRequest request) =>
        RecordingWorkflow.RunAsync(Context, request, ProgressLog.Console, TestContext.Current.CancellationToken);
}
