using System.Globalization;
using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;
using LocalClaude.Terminal;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>
/// <c>tools/localclaude launch local</c> for real, in a tmux pane as a user would run it: the first-run screens, one
/// message answered by the CPU profile's llama-server, <c>/exit</c>; then nothing of the run is left and the user's
/// own Claude Code config is byte-identical.
/// </summary>
[Collection(LauncherCollection.Name)]
public sealed partial class LaunchLocalUnderTmuxTests(ITestOutputHelper output)
{
    private const string Message = "Say hello in five words";
    private static readonly TimeSpan ScreenTimeout = TimeSpan.FromMinutes(3);
    /// <summary>Claude Code's first request carries a system prompt and tool list of ~12k tokens.</summary>
    private const int ClaudeCodeSizedPrompt = 5000;

    [Fact(Timeout = 15 * 60 * 1000)]
    public async Task Launch_local_answers_through_the_cpu_profile_and_leaves_nothing_behind()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scratch = new Scratch();
        var profile = LaunchTestProfile.Write(scratch.Root);
        await LaunchRequirements.RequireAsync(profile, tmux: true);
        await LauncherCli.EnsureBuiltAsync();
        var configBefore = ClaudeConfigFingerprint.Take();
        string? sandboxId = null;

        var command = $"env {ExternalCommand.Quote($"LOCALCLAUDE_MODELS_CONF={profile.ModelsConfPath}")} " +
            ExternalCommand.Display(LauncherCli.Localclaude, ["launch", "local", "--profile", profile.Name, "--workdir", scratch.Work, "--sandbox-home", scratch.Home]);
        var tmux = await TestTmux.StartAsync(command, scratch.Root, ct);
        try
        {
            // First run: theme (Enter keeps the default), security notes (Enter), trust this folder (default "No, exit").
            await tmux.ExpectScreenAsync("the theme screen", s => s.Contains("Choose the text style", StringComparison.Ordinal), ScreenTimeout, ct);
            var banner = tmux.Output();
            sandboxId = SandboxId().Match(banner) is { Success: true } id ? id.Groups[1].Value : null;
            AssertBanner(banner, profile, scratch);
            sandboxId.Should().NotBeNull();
            // The library's driver answers them, one step at a time as the screens show (the trust question's default
            // "No, exit" can come back after a Down on a busy machine).
            var firstRun = await new ClaudeCodeTerminal(tmux).PassFirstRunScreensAsync(ScreenTimeout, ct);
            firstRun.Distinct().Should().Equal([ClaudeCodeScreen.Theme, ClaudeCodeScreen.SecurityNotes, ClaudeCodeScreen.TrustFolder]);
            await tmux.ExpectScreenAsync("the prompt", s => s.Contains("Claude Code v", StringComparison.Ordinal) && EmptyPrompt().IsMatch(s) && !s.Contains("trust this folder", StringComparison.Ordinal), ScreenTimeout, ct);

            // Every part of the run is up, so the emptiness checked after /exit means something.
            var running = RunProcesses.Find(profile.Name, sandboxId!);
            output.WriteLine("while running:\n" + string.Join('\n', running));
            foreach (var part in new[] { "llama-server", "bwrap", "socat" })
                running.Should().Contain(p => p.Name == part);
            running.Should().Contain(p => p.Name.StartsWith("claude", StringComparison.Ordinal));

            var serverLog = ServerLog().Match(tmux.Output()).Groups[1].Value;
            File.Exists(serverLog).Should().BeTrue($"the banner names the server log, but '{serverLog}' does not exist");
            var before = PromptSizes(serverLog).Count;

            await tmux.TypeAsync(Message, ct);
            await tmux.SendKeysAsync(ct, "Enter");
            // The round trip: llama-server finished a Claude Code-sized request, and its (random-weights) text is on screen.
            var answered = await tmux.ExpectScreenAsync("an answer below the message",
                s => AnswerAfterMessage(s) && PromptSizes(serverLog).Skip(before).Any(n => n >= ClaudeCodeSizedPrompt), ScreenTimeout, ct);
            output.WriteLine("answered:\n" + answered);
            // The only API error a random-weights model may cause is hitting the profile's output cap; anything else
            // (connection refused, 4xx from the server) means the bridge or the server failed.
            answered.Split('\n').Should().NotContain(l => l.Contains("API Error", StringComparison.Ordinal) && !l.Contains("output token maximum", StringComparison.Ordinal));
            output.WriteLine("prompt sizes in the server log: " + string.Join(", ", PromptSizes(serverLog)));

            // A random model never ends on its own: Claude Code retries on the output cap, then gives the turn back.
            var idle = await WaitUntilIdleAsync(tmux, ct);
            if (!idle) await tmux.SendKeysAsync(ct, "Escape");
            await tmux.TypeAsync("/exit", ct);
            await Task.Delay(1000, ct);
            await tmux.SendKeysAsync(ct, "Enter");
            var status = await WaitForExitAsync(tmux, ct);
            var log = tmux.Output();
            output.WriteLine("launcher output (tail):\n" + log[Math.Max(0, log.Length - 1500)..]);
            status.Should().Be(0);
            log.Should().Contain("Claude Code exited with code 0.");
            log.Should().Contain("stopped.");
        }
        finally
        {
            await tmux.DisposeAsync();
            var left = await RunProcesses.WaitUntilGoneAsync(TimeSpan.FromSeconds(15), profile.Name, sandboxId ?? profile.Name);
            RunProcesses.Kill(left);
            (left.Count == 0).Should().BeTrue("processes of the run were left behind:\n" + string.Join('\n', left));
        }

        // Claude Code wrote its state into the sandbox HOME, which was handed back to us.
        var state = Path.Combine(scratch.Home, ".claude.json");
        File.Exists(state).Should().BeTrue("Claude Code left no .claude.json in its sandbox HOME");
        (await OwnerAsync(state)).Should().Be(await OwnerAsync(scratch.Root));
        ClaudeConfigFingerprint.Render(ClaudeConfigFingerprint.Take()).Should().Be(ClaudeConfigFingerprint.Render(configBefore));
    }

    private static void AssertBanner(string banner, LaunchTestProfile profile, Scratch scratch)
    {
        var beforeServer = banner[..Math.Max(0, banner.IndexOf("looking for a running llama-server", StringComparison.Ordinal))];
        beforeServer.Should().Contain("backend   local");
        beforeServer.Should().Contain($"profile   {profile.Name} ");
        beforeServer.Should().Contain($"work dir  {scratch.Work}");
        beforeServer.Should().Contain($"HOME      {scratch.Home} (seen inside as /home/sbx)");
        banner.Should().MatchRegex(@"server +started llama-server pid \d+");
    }

    private static bool AnswerAfterMessage(string screen)
    {
        var lines = screen.Split('\n');
        var asked = Array.FindIndex(lines, l => l.Contains("❯ " + Message, StringComparison.Ordinal));
        return asked >= 0 && lines.Skip(asked + 1).Any(l => l.StartsWith("● ", StringComparison.Ordinal) && l[2..].Trim().Length > 0);
    }

    /// <summary>The prompt size (tokens evaluated) of every request llama-server finished, in order.</summary>
    private static IReadOnlyList<int> PromptSizes(string serverLog)
    {
        using var stream = new FileStream(serverLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var text = new StreamReader(stream).ReadToEnd();
        return PromptEval().Matches(text).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
    }

    private async Task<bool> WaitUntilIdleAsync(TmuxSession tmux, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + ScreenTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!(await tmux.CaptureAsync(ct)).Contains("esc to interrupt", StringComparison.Ordinal)) return true;
            await Task.Delay(500, ct);
        }
        output.WriteLine("the turn was still running; interrupting it with Escape");
        return false;
    }

    private static async Task<int> WaitForExitAsync(TmuxSession tmux, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (await tmux.ExitStatusAsync(ct) is { } status) return status;
            await Task.Delay(250, ct);
        }
        Assert.Fail($"the launcher did not exit after /exit; the screen:\n{await tmux.CaptureAsync(ct)}");
        return -1;
    }

    private static async Task<int> OwnerAsync(string path) =>
        int.Parse((await ExternalCommand.RunAsync("stat", ["-c", "%u", "--", path], new CommandOptions { Timeout = TimeSpan.FromSeconds(10) })).StandardOutput.Trim(), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"bubblewrap ([0-9a-f]{12}):")]
    private static partial Regex SandboxId();

    [GeneratedRegex(@"\(log: (/\S+\.log)\)")]
    private static partial Regex ServerLog();

    [GeneratedRegex(@"prompt eval time =\s+[\d.]+ ms /\s+(\d+) tokens")]
    private static partial Regex PromptEval();

    // The input box: a line holding only the prompt glyph (a selection list shows "❯ text").
    [GeneratedRegex(@"^\s*❯[\s\u00a0]*$", RegexOptions.Multiline)]
    private static partial Regex EmptyPrompt();
}
