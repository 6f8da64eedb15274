using System.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Tests.Support;
using Snapshooter;
using Snapshooter.Xunit3;

namespace LocalClaude.Conformance.Tests.Snapshots;

/// <summary>
/// Runs this test module again as a child, with only <see cref="Snapshot_probe"/> selected, and shows that
/// the same missing snapshot fails under CI=true and is written (and passes) without it.
/// </summary>
public sealed class StrictSnapshotTests(ITestOutputHelper output)
{
    private const string ProbeName = "LOCALCLAUDE_SNAPSHOT_PROBE_NAME";
    private static readonly string SnapshotFolder = Path.Combine(
        RepoLayout.Find(AppContext.BaseDirectory).Root, "tests", "Conformance", "Snapshots", "__snapshots__");

    [Fact]
    public async Task A_missing_snapshot_fails_under_CI_true()
    {
        var name = $"never-approved-{Guid.NewGuid():N}";
        try
        {
            var run = await RunProbeAsync(name, ci: "true");
            run.ExitCode.Should().NotBe(0);
            (run.StandardOutput + run.StandardError).Should().Contain("Strict mode is enabled and no snapshot has been found");
            SnapshotsNamed(name).Should().BeEmpty();
        }
        finally
        {
            // Snapshooter leaves what it got under __mismatch__ for a human to look at.
            foreach (var file in MismatchesNamed(name).Concat(SnapshotsNamed(name))) File.Delete(file);
            var mismatches = Path.Combine(SnapshotFolder, "__mismatch__");
            if (Directory.Exists(mismatches) && !Directory.EnumerateFileSystemEntries(mismatches).Any()) Directory.Delete(mismatches);
        }
    }

    [Fact]
    public async Task Without_CI_the_same_missing_snapshot_is_written()
    {
        var name = $"never-approved-{Guid.NewGuid():N}";
        try
        {
            var run = await RunProbeAsync(name, ci: null);
            run.ExitCode.Should().Be(0);
            SnapshotsNamed(name).Should().ContainSingle();
        }
        finally
        {
            foreach (var file in SnapshotsNamed(name)) File.Delete(file);
        }
    }

    /// <summary>
    /// The probe the two tests above run as a child module run, naming a snapshot nobody approved. In an ordinary run
    /// it matches its one approved snapshot (committed), so it is a test like any other rather than a skipped one.
    /// </summary>
    [Fact]
    public void Snapshot_probe()
    {
        var name = Environment.GetEnvironmentVariable(ProbeName) is { Length: > 0 } probe ? probe : "approved";
        Snapshot.Match(new { probe = name }, SnapshotNameExtension.Create(name));
    }

    private static string[] SnapshotsNamed(string name) =>
        Directory.Exists(SnapshotFolder) ? Directory.GetFiles(SnapshotFolder, $"*{name}*") : [];

    private static string[] MismatchesNamed(string name) =>
        Directory.Exists(Path.Combine(SnapshotFolder, "__mismatch__")) ? Directory.GetFiles(Path.Combine(SnapshotFolder, "__mismatch__"), $"*{name}*") : [];

    private async Task<CommandResult> RunProbeAsync(string name, string? ci)
    {
        // The test module is an executable (Microsoft.Testing.Platform); its entry assembly is this module.
        var module = typeof(StrictSnapshotTests).Assembly.Location;
        var result = await ExternalCommand.RunAsync("dotnet",
            // xunit's own command line (the module run directly): one method.
            [module, "-method", $"{typeof(StrictSnapshotTests).FullName}.{nameof(Snapshot_probe)}", "-noColor"],
            new CommandOptions
            {
                Environment = new Dictionary<string, string?>
                {
                    [ProbeName] = name,
                    ["CI"] = ci,
                    // The parent's own setting (tools/localclaude test sets it) must not decide the child's mode.
                    [StrictSnapshotsInCi.Variable] = null,
                },
                Timeout = TimeSpan.FromMinutes(3),
                ThrowOnFailure = false,
            }, TestContext.Current.CancellationToken);
        output.WriteLine($"CI={ci ?? "(unset)"}: exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
        return result;
    }
}
