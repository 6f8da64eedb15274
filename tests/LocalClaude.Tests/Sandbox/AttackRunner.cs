using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;

namespace LocalClaude.Tests.Sandbox;

/// <summary>What one attack script printed inside, after the host-side checks common to every attack passed.</summary>
internal sealed record AttackOutcome(string Output, int Blocked);

/// <summary>
/// Runs an attack script in the shared sandbox and checks the host afterwards. In the script, <c>attempt 'CMD'</c> runs
/// CMD and prints "ESCAPED: …" if it succeeded or "blocked: … -> error" if it failed. Every attack must end with all
/// attempts blocked, nothing changed under the host layout (outside the work dir and HOME), no "pwned-TAG" file in the
/// usual host folders, no planted secret in the output, and no connection to any host listener but the model server.
/// </summary>
internal sealed partial class AttackRunner(SandboxAttackFixture fixture, ITestOutputHelper output)
{
    private const string Prelude = """
        attempt() {
          out=$(sh -c "$1" 2>&1 </dev/null); rc=$?
          out=$(printf '%s' "$out" | head -c 400 | tr '\n' ' ')
          if [ "$rc" -eq 0 ]; then echo "ESCAPED: $1 -> $out"; else echo "blocked: $1 -> $out"; fi
        }

        """;

    /// <summary>Host folders where a write that got out would land.</summary>
    public static readonly string[] HostFolders =
        ["/", "/etc", "/usr", "/usr/local", "/usr/bin", "/var", "/var/tmp", "/opt", "/root", "/run", "/home", "/srv", "/mnt", "/tmp", "/dev/shm"];

    public string Tag { get; } = Guid.NewGuid().ToString("N")[..10];

    /// <summary>Runs the attack; <paramref name="wrap"/> puts a host-side command around the sandbox's argv (e.g. to leak a descriptor in).</summary>
    public async Task<AttackOutcome> RunAsync(string script, Func<IReadOnlyList<string>, IReadOnlyList<string>>? wrap = null)
    {
        var session = fixture.RequireSession();
        var layout = fixture.Layout;
        var before = await layout.SnapshotAsync();
        var hostFilesBefore = HostFolders.ToDictionary(f => f, f => File.Exists(Path.Combine(f, "pwned-" + Tag)));
        var command = session.BuildCommandLine("/bin/sh", ["-c", Prelude + script + "\necho ATTACK-DONE\n"]);
        if (wrap is not null) command = wrap(command);

        var result = await ExternalCommand.RunAsync(command[0], command.Skip(1),
            new CommandOptions { Timeout = TimeSpan.FromSeconds(120), ThrowOnFailure = false, WorkingDirectory = "/" },
            TestContext.Current.CancellationToken);
        var text = result.StandardOutput + result.StandardError;
        output.WriteLine($"exit {result.ExitCode}\n{text}");

        result.StandardOutput.Should().Contain("ATTACK-DONE");
        text.Should().NotContain("ESCAPED:");
        var expected = script.Split('\n').Count(l => l.TrimStart().StartsWith("attempt ", StringComparison.Ordinal));
        var blocked = BlockedLine().Matches(result.StandardOutput).Count;
        (blocked >= expected).Should().BeTrue($"only {blocked} of {expected} attempts reported back");

        var after = await layout.SnapshotAsync();
        var changed = before.Keys.Union(after.Keys)
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || a != b)
            .Select(k => $"{k}: {before.GetValueOrDefault(k, "(absent)")} -> {after.GetValueOrDefault(k, "(absent)")}")
            .ToArray();
        (changed.Length == 0).Should().BeTrue("the host layout changed outside the work dir and HOME:\n" + string.Join('\n', changed));
        foreach (var folder in HostFolders)
            if (!hostFilesBefore[folder])
                File.Exists(Path.Combine(folder, "pwned-" + Tag)).Should().BeFalse($"a file appeared on the host: {folder}/pwned-{Tag}");

        foreach (var secret in new[] { layout.Canary, layout.ParentMarker, layout.OutsideMarker, fixture.VictimCanary })
            text.Should().NotContain(secret);
        AssertNoForbiddenConnection();
        return new AttackOutcome(text, blocked);
    }

    /// <summary>No host listener except the model server has ever seen anything from a sandbox.</summary>
    public void AssertNoForbiddenConnection()
    {
        fixture.OtherPort!.Connections.Should().Be(0);
        fixture.SecondLoopback!.Connections.Should().Be(0);
        (fixture.Ipv6Loopback?.Connections ?? 0).Should().Be(0);
        (fixture.HostInterface?.Connections ?? 0).Should().Be(0);
        (fixture.HostInterfaceUdp?.Datagrams ?? 0).Should().Be(0);
        (fixture.LoopbackDns?.Datagrams ?? 0).Should().Be(0);
        fixture.FileSocket!.Connections.Should().Be(0);
        fixture.AbstractSocket!.Connections.Should().Be(0);
    }

    [GeneratedRegex("^blocked: ", RegexOptions.Multiline)]
    private static partial Regex BlockedLine();
}
