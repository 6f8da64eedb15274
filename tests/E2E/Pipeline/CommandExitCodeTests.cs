using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using LocalClaude.Cli;
using LocalClaude.E2E.Tests.Launcher;
using LocalClaude.Infrastructure;
using LocalClaude.Tests.Support;

namespace LocalClaude.E2E.Tests.Pipeline;

/// <summary>
/// The exit-code policy (<see cref="ExitCodes"/>) holds for every command of the real <c>tools/localclaude</c>:
/// a mistyped option and an input it cannot run on exit 2 in one line; a verdict exits 1 and a clean run 0; Ctrl-C
/// exits 130. The commands come from the CLI's own root command, so a new command without a row here fails.
/// </summary>
public sealed partial class CommandExitCodeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _scratch = new("localclaude-exit-codes");

    /// <summary>How one command is run to get one exit code.</summary>
    private sealed record Case(string[] Arguments, IReadOnlyDictionary<string, string?>? Environment = null, bool StdoutOnFullDisk = false, bool SaysWhyOnStdout = false);

    /// <summary>What each command is run with; <see cref="NoVerdictHere"/> says why a command has no verdict cases here.</summary>
    private sealed record Row(Case UnknownOption, Case CouldNotRun, Case? Verdict = null, Case? Ok = null, string? NoVerdictHere = null);

    /// <summary>A cache that cannot be created: /dev/full is a device, not a folder.</summary>
    private static readonly Dictionary<string, string?> NoHome = new() { [LocalClaudeHome.EnvironmentVariable] = "/dev/full/home" };

    private static Case Args(params string[] arguments) => new(arguments);

    private static Case Typo(string command) => Args([.. command.Split(' '), "--no-such-option"]);

    private Dictionary<string, Row> Rows => field ??= RowsIn(_scratch);

    private static Dictionary<string, Row> RowsIn(TempDirectory Scratch) => new()
    {
        ["setup"] = new(Typo("setup"), new(["setup", "--skip-system-packages", "--llama-server", "/bin/true", "--name", "x"], NoHome),
            NoVerdictHere: "its verdict (a system package missing) needs a machine without one"),
        ["doctor"] = new(Typo("doctor"), new(["doctor"], StdoutOnFullDisk: true),
            Verdict: new(["doctor"], new Dictionary<string, string?> { [LocalClaudeHome.EnvironmentVariable] = Scratch.Combine("empty-home") }),
            Ok: Args("doctor")),
        ["serve"] = new(Typo("serve"), Args("serve", "no-such-profile"), NoVerdictHere: "it serves until stopped: no verdict"),
        ["launch local"] = new(Typo("launch local"), Args("launch", "local", "--profile", "no-such-profile", "--workdir", Scratch.Path),
            NoVerdictHere: "it passes Claude Code's own exit code through"),
        ["launch api"] = new(Typo("launch api"), new(["launch", "api", "--workdir", Scratch.Path], new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = null }),
            NoVerdictHere: "it passes Claude Code's own exit code through"),
        ["launch subscription"] = new(Typo("launch subscription"), Args("launch", "subscription", "--claude", "/no/such/claude", "--workdir", Scratch.Path),
            NoVerdictHere: "it passes Claude Code's own exit code through"),
        ["test"] = new(Typo("test"), new(["test"], NoHome), NoVerdictHere: "its verdict is the whole test run, which cannot run inside itself"),
        ["conformance"] = new(Typo("conformance"),
            Args("conformance", "--server-url", "http://127.0.0.1:9", "--checks", "message.system-blocks", "--out", Scratch.Combine("c.json")),
            NoVerdictHere: "a failing check needs a llama-server that fails one (tests/Conformance)"),
        ["validate"] = new(Typo("validate"), new(["validate", Scratch.Combine("missing.sse")], SaysWhyOnStdout: true),
            Verdict: Args("validate", "fixtures/streams/broken/data-not-json.sse"),
            Ok: Args("validate", "fixtures/streams/valid/comments.sse")),
        ["report"] = new(Typo("report"), Args("report", "--merge", "/no/such/folder", "--out", Scratch.Combine("report-none")),
            Ok: Args("report", "--merge", "reports/gate-demo/candidate", "--out", Scratch.Combine("report")),
            NoVerdictHere: "its verdict (a phase without result) needs a producer that fails"),
        ["gate"] = new(Args("gate", "--baselin", "reports/gate-demo/baseline", "--candidate", "reports/gate-demo/candidate"),
            Args("gate", "--baseline", "/no/such/llama-server", "--candidate", "reports/gate-demo/candidate", "--profile", "cpu-tiny", "--out", Scratch.Combine("gate-none")),
            // The demo pair backwards: v0.5.0 → v0.4.0 loses the fixes, i.e. regresses.
            Verdict: Args("gate", "--baseline", "reports/gate-demo/candidate", "--candidate", "reports/gate-demo/baseline", "--profile", "cpu-tiny", "--out", Scratch.Combine("gate-back")),
            Ok: Args("gate", "--baseline", "reports/gate-demo/baseline", "--candidate", "reports/gate-demo/candidate", "--profile", "cpu-tiny", "--out", Scratch.Combine("gate"))),
        ["record"] = new(Typo("record"), Args("record", "x", "--compare", "--out", "/no/such/fixture", "--", "-p", "hi"),
            NoVerdictHere: "it records: no verdict"),
        ["record refresh"] = new(Typo("record refresh"), Args("record", "refresh", "--claude-code", "9.9.9", "--out", Scratch.Combine("refresh")),
            NoVerdictHere: "drift is information, not a verdict"),
        ["record import"] = new(Typo("record import"), Args("record", "import", "/no/such/session.har", "x", "--out", Scratch.Combine("imported")),
            NoVerdictHere: "it imports: no verdict"),
        ["replay"] = new(Typo("replay"), Args("replay", "fixtures/traffic/model-haiku", "--url", "http://127.0.0.1:9", "--out", Scratch.Combine("replay.json")),
            NoVerdictHere: "a failed replay needs a server that answers wrongly (tests/Conformance/Traffic)"),
        ["e2e"] = new(Typo("e2e"), Args("e2e", "--profile", "no-such-profile"),
            NoVerdictHere: "its verdicts run real Claude Code tasks (ControlBackendTests, E2ECommandTests)"),
        ["bench relay"] = new(Typo("bench relay"), Args("bench", "relay", "--profile", "no-such-profile"), NoVerdictHere: "a benchmark prints a table: no verdict"),
        ["schemas"] = new(Typo("schemas"), Args("schemas", "--write", "--dir", "/dev/full/schemas"),
            // An empty folder holds none of the schemas the types generate: all differ.
            Verdict: Args("schemas", "--dir", Scratch.Path),
            Ok: Args("schemas")),
        ["stress launch"] = new(Typo("stress launch"), Args("stress", "launch", "--profile", "no-such-profile", "--runs", "1"),
            NoVerdictHere: "its verdict (a hang or a leftover) needs a broken launcher"),
    };

    /// <summary>Every command a user can run: the leaves of the CLI's own command tree ("launch local", "bench relay").</summary>
    public static TheoryData<string> Commands() => [.. Leaves(CliRoot.Create(), "")];

    public static TheoryData<string> CommandsWithVerdicts() => [.. RowNames(r => r.Verdict is not null)];

    public static TheoryData<string> CommandsWithCleanRuns() => [.. RowNames(r => r.Ok is not null)];

    private static IEnumerable<string> RowNames(Func<Row, bool> which)
    {
        using var unused = new TempDirectory();
        return RowsIn(unused).Where(r => which(r.Value)).Select(r => r.Key).ToList();
    }

    /// <summary>Commands that run something: the leaves, and a command with subcommands that also acts itself (<c>record</c>).</summary>
    private static IEnumerable<string> Leaves(Command command, string prefix) =>
        command.Subcommands.Count == 0
            ? [prefix.Trim()]
            : (prefix.Length > 0 && command.Action is not null ? [prefix.Trim()] : Enumerable.Empty<string>())
                .Concat(command.Subcommands.SelectMany(c => Leaves(c, $"{prefix} {c.Name}")));

    [Fact]
    public void Every_command_has_a_row_and_every_row_a_command()
    {
        var commands = Leaves(CliRoot.Create(), "").Order().ToList();
        Rows.Keys.Order().ToList().Should().Equal(commands);
        foreach (var (name, row) in Rows)
            (row.Verdict is not null && row.Ok is not null || !string.IsNullOrWhiteSpace(row.NoVerdictHere)).Should().BeTrue($"'{name}': give a verdict and a clean case, or say why not");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task An_unknown_option_exits_2_in_one_line(string command)
    {
        var result = await RunAsync(Rows[command].UnknownOption);
        result.ExitCode.Should().Be(ExitCodes.CouldNotRun);
        var line = Lines(result.StandardError).Should().ContainSingle().Which;
        line.Should().StartWith("error: ");
        line.Should().Contain("Unrecognized");
        result.StandardOutput.Trim().Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task An_input_it_cannot_run_on_exits_2(string command)
    {
        var row = Rows[command].CouldNotRun;
        var result = await RunAsync(row);
        result.ExitCode.Should().Be(ExitCodes.CouldNotRun);
        if (!row.SaysWhyOnStdout) Lines(result.StandardError).Should().ContainSingle(l => l.StartsWith("error: ", StringComparison.Ordinal));
        foreach (var text in new[] { result.StandardOutput, result.StandardError })
            text.Should().NotMatchRegex(@"(?m)^\s+at \S+\(");
    }

    [Theory]
    [MemberData(nameof(CommandsWithVerdicts))]
    public async Task A_verdict_exits_1(string command) =>
        (await RunAsync(Rows[command].Verdict!)).ExitCode.Should().Be(ExitCodes.Verdict);

    [Theory]
    [MemberData(nameof(CommandsWithCleanRuns))]
    public async Task A_clean_run_exits_0(string command)
    {
        var result = await RunAsync(Rows[command].Ok!);
        // doctor is clean only where setup has provisioned the cache (CI always has).
        if (command == "doctor" && result.ExitCode == ExitCodes.Verdict) MissingPart.Report("doctor names a required component missing");
        result.ExitCode.Should().Be(ExitCodes.Ok);
    }

    [Fact]
    public async Task Ctrl_C_exits_130()
    {
        var ct = TestContext.Current.CancellationToken;
        // replay waits on a server that accepts and never answers, until SIGINT cancels it.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try { while (true) held.Add(await silent.AcceptSocketAsync(ct)); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException) { }
        }, ct);
        await LauncherCli.EnsureBuiltAsync();
        var start = new ProcessStartInfo(LauncherCli.Localclaude)
        {
            WorkingDirectory = LauncherCli.Repo.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "replay", "fixtures/traffic/model-haiku", "--url", $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}", "--out", _scratch.Combine("cancelled.json") })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            // The wrapper execs the CLI, so this pid is the CLI's; it says where it replays before it connects.
            var first = await process.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromMinutes(2), ct);
            first.Should().StartWith("replaying against");
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            process.HasExited.Should().BeFalse("replay ended before it was cancelled");
            Kill(process.Id, Sigint).Should().Be(0);
            var rest = process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
            output.WriteLine($"exit {process.ExitCode}\n{await rest}\n{await stderr}");
            process.ExitCode.Should().Be(ExitCodes.Cancelled);
            (await stderr).Should().Contain("replay: cancelled");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            silent.Stop();
            await accepting;
            foreach (var socket in held) socket.Dispose();
        }
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/nightly.md")]
    public void The_docs_table_states_the_policy(string document)
    {
        var text = File.ReadAllText(Path.Combine(LauncherCli.Repo.Root, document));
        var table = ExitTable().Matches(text).ToDictionary(m => int.Parse(m.Groups["code"].Value), m => m.Groups["meaning"].Value);
        // What each code's row must say, by the name of its constant.
        var words = new Dictionary<string, string>
        {
            [nameof(ExitCodes.Ok)] = "fine",
            [nameof(ExitCodes.Verdict)] = "verdict",
            [nameof(ExitCodes.CouldNotRun)] = "could not run",
            [nameof(ExitCodes.Cancelled)] = "cancelled",
        };
        var policy = typeof(ExitCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .ToDictionary(f => (int)f.GetRawConstantValue()!, f => f.Name);
        table.Keys.Order().Should().Equal(policy.Keys.Order());
        foreach (var (code, name) in policy)
        {
            words.ContainsKey(name).Should().BeTrue($"ExitCodes.{name} is new: say here what {document} must call it");
            Assert.Contains(words[name], table[code], StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The rows of a markdown table whose first column is an exit code: <c>| 2 | could not run … |</c>.</summary>
    [GeneratedRegex(@"^\| (?<code>\d+) \| (?<meaning>[^|\n]*)\|", RegexOptions.Multiline)]
    private static partial Regex ExitTable();

    private const int Sigint = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task<CommandResult> RunAsync(Case c)
    {
        var ct = TestContext.Current.CancellationToken;
        CommandResult result;
        if (c.StdoutOnFullDisk)
        {
            await LauncherCli.EnsureBuiltAsync();
            // stdout on /dev/full: every write fails with "No space left on device".
            result = await ExternalCommand.RunAsync("sh", ["-c", $"exec \"$0\" \"$@\" > /dev/full", LauncherCli.Localclaude, .. c.Arguments], new CommandOptions
            {
                WorkingDirectory = LauncherCli.Repo.Root,
                Environment = c.Environment,
                Timeout = TimeSpan.FromMinutes(3),
                ThrowOnFailure = false,
            }, ct);
        }
        else
        {
            result = await LauncherCli.RunAsync(c.Arguments, c.Environment, LauncherCli.Repo.Root, ct);
        }
        output.WriteLine($"$ tools/localclaude {string.Join(' ', c.Arguments)}\nexit {result.ExitCode}\n--- stdout\n{result.StandardOutput}\n--- stderr\n{result.StandardError}");
        return result;
    }

    public void Dispose() => _scratch.Dispose();
}
