using System.Diagnostics;
using System.Text.RegularExpressions;
using LocalClaude.E2E.Tests.Launcher;
using LocalClaude.Infrastructure;
using LocalClaude.Terminal;

namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>
/// Runs the real <c>tools/localclaude launch local --claude SCRIPT</c>: headless (no terminal, <c>-- -p hi</c>) or
/// typed into a user's shell in a private tmux. While it runs, the script's checkpoints (WORK/.attack/cp-NAME) are
/// answered by host-side observers, whose findings go to WORK/.attack/host-NAME.txt.
/// </summary>
internal static partial class AttackLaunch
{
    public delegate string Observer(HostProcess? launcher, IReadOnlyList<HostProcess> table);

    public static string[] Arguments(AttackSite site, string profile, string? home = null) =>
        ["launch", "local", "--profile", profile, "--workdir", site.Scratch.Work, "--sandbox-home", home ?? site.Scratch.Home, "--claude", site.Script];

    public static async Task<AttackOutcome> HeadlessAsync(AttackSite site, LaunchTestProfile profile, CancellationToken ct,
        IReadOnlyDictionary<string, Observer>? observers = null, IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null, IReadOnlyList<string>? arguments = null)
    {
        var env = new Dictionary<string, string?>(profile.Environment);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) env[key] = value;
        var clock = Stopwatch.StartNew();
        var run = LauncherCli.RunAsync([.. arguments ?? Arguments(site, profile.Name), "--", "-p", "hi"], env, site.Scratch.Work, ct, timeout ?? TimeSpan.FromMinutes(3));
        await AnswerCheckpointsAsync(site, observers, () => run.IsCompleted, ct);
        var result = await run;
        return new AttackOutcome(result.ExitCode, result.StandardOutput + result.StandardError, clock.Elapsed, site.ReadNotes(), site.Results);
    }

    /// <summary>
    /// Types the launch into an interactive bash in a private tmux, waits until the shell has it back, waits
    /// <paramref name="settle"/> for anything delayed, then types one more command into the same shell.
    /// </summary>
    public static async Task<InteractiveOutcome> InteractiveAsync(AttackSite site, LaunchTestProfile profile, CancellationToken ct,
        Func<TmuxSession, Task>? beforeLaunch = null, IReadOnlyDictionary<string, Observer>? observers = null, TimeSpan? settle = null)
    {
        await using var tmux = await TestTmux.StartAsync("bash --norc --noprofile -i", site.Scratch.Root, ct);
        await tmux.ExpectScreenAsync("the shell", s => s.Contains('$') || s.Contains('#'), TimeSpan.FromSeconds(30), ct);
        var socket = TmuxSocket(await tmux.PanePidAsync(ct));
        if (beforeLaunch is not null) await beforeLaunch(tmux);
        var command = $"env {ExternalCommand.Quote($"LOCALCLAUDE_MODELS_CONF={profile.ModelsConfPath}")} "
            + ExternalCommand.Display(LauncherCli.Localclaude, Arguments(site, profile.Name)) + "; echo lc-launch-exit-$?-done";
        var clock = Stopwatch.StartNew();
        await tmux.TypeAsync(command, ct);
        await tmux.SendKeysAsync(ct, "Enter");
        var exited = false;
        await AnswerCheckpointsAsync(site, observers, () => exited, ct, async () =>
        {
            exited = LaunchExit().IsMatch(tmux.Output()) || clock.Elapsed > TimeSpan.FromMinutes(3);
            await Task.CompletedTask;
        });
        var elapsed = clock.Elapsed;
        var exit = LaunchExit().Match(tmux.Output());
        await Task.Delay(settle ?? TimeSpan.FromSeconds(7), ct);
        // The user keeps using the same shell.
        await tmux.TypeAsync("echo lc-shell-alive-$((6*7))", ct);
        await tmux.SendKeysAsync(ct, "Enter");
        var alive = true;
        try { await tmux.ExpectScreenAsync("the shell to answer", s => s.Contains("lc-shell-alive-42", StringComparison.Ordinal), TimeSpan.FromSeconds(20), ct); }
        catch (Exception e) when (e.GetType().Name.Contains("Fail", StringComparison.Ordinal) || e is Xunit.Sdk.XunitException) { alive = false; }
        var outcome = new AttackOutcome(exit.Success ? int.Parse(exit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1,
            tmux.Output(), elapsed, site.ReadNotes(), site.Results);
        return new InteractiveOutcome(outcome, alive, await tmux.CaptureAsync(ct));
    }

    /// <summary>The private tmux server's socket, from the pane shell's TMUX variable (socket,pid,session).</summary>
    public static string TmuxSocket(int panePid)
    {
        var environ = File.ReadAllText($"/proc/{panePid}/environ").Split('\0');
        return environ.First(e => e.StartsWith("TMUX=", StringComparison.Ordinal))[5..].Split(',')[0];
    }

    public static CommandResult Tmux(string socket, params string[] arguments) => AttackSite.Host("tmux", ["-S", socket, .. arguments]);

    private static async Task AnswerCheckpointsAsync(AttackSite site, IReadOnlyDictionary<string, Observer>? observers, Func<bool> finished,
        CancellationToken ct, Func<Task>? poll = null)
    {
        var answered = new HashSet<string>();
        while (!finished())
        {
            if (poll is not null) await poll();
            if (Directory.Exists(site.Results))
            {
                foreach (var file in Directory.GetFiles(site.Results, "cp-*"))
                {
                    var name = Path.GetFileName(file)[3..];
                    // A checkpoint of an earlier launch in the same work dir is already answered.
                    if (name.EndsWith(".done", StringComparison.Ordinal) || File.Exists(file + ".done") || !answered.Add(name)) continue;
                    var table = HostProcesses.Snapshot();
                    var launcher = HostProcesses.Launcher(table, site.Script);
                    var seen = observers is not null && observers.TryGetValue(name, out var observe) ? observe(launcher, table) : "no observer";
                    await File.WriteAllTextAsync(Path.Combine(site.Results, $"host-{name}.txt"), seen + "\n", ct);
                    await File.WriteAllTextAsync(file + ".done", "", ct);
                }
            }
            await Task.Delay(100, ct);
        }
    }

    [GeneratedRegex(@"lc-launch-exit-(\d+)-done")]
    private static partial Regex LaunchExit();
}

/// <summary>An interactive launch: its outcome, whether the user's shell still answered, and its last screen.</summary>
internal sealed record InteractiveOutcome(AttackOutcome Launch, bool ShellAlive, string Screen);
