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
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RunAsync(new RecordingRequest { Name = name, ClaudeArguments = ["-p", "hi"] }));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public async Task A_headless_recording_needs_a_prompt() =>
        Assert.Contains("needs -p PROMPT", (await Assert.ThrowsAsync<ArgumentException>(() => RunAsync(new RecordingRequest { Name = "x" }))).Message);

    [Fact]
    public async Task An_interactive_recording_needs_a_turn() =>
        Assert.Contains("at least one --input", (await Assert.ThrowsAsync<ArgumentException>(() =>
            RunAsync(new RecordingRequest { Name = "x", Interactive = true }))).Message);

    [Theory]
    [InlineData("NOEQUALS", null, null, "--env 'NOEQUALS': expected NAME=VALUE")]
    [InlineData(null, "cpu-tiny", "http://127.0.0.1:1", "give --profile or --upstream, not both")]
    [InlineData(null, null, "control:nonesuch", "unknown control 'nonesuch'")]
    [InlineData(null, null, "ftp://127.0.0.1/", "--upstream 'ftp://127.0.0.1/' is neither an http(s) URL nor control:NAME")]
    public async Task Bad_options_are_refused_with_the_option_named(string? env, string? profile, string? upstream, string message)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RunAsync(new RecordingRequest
        {
            Name = "x",
            ClaudeArguments = ["-p", "hi"],
            Environment = env is null ? [] : [env],
            Profile = profile,
            Upstream = upstream,
            // Never reached: the request is refused before Claude Code is looked for.
            ClaudeBinary = "/nonexistent/claude",
        }));
        Assert.StartsWith(message, error.Message);
    }

    private static Task<RecordingOutcome> RunAsync(RecordingRequest request) =>
        RecordingWorkflow.RunAsync(Context, request, ProgressLog.Console, TestContext.Current.CancellationToken);
}
