using System.Security.Cryptography;
using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;
using LocalClaude.Tests.Support;
using LocalClaude.Traffic;

namespace LocalClaude.E2E.Tests.Traffic;

/// <summary>
/// <c>record refresh</c> on a repository of two fixtures: the one recorded against a scripted control is re-recorded by
/// the real Claude Code into the scratch folder and compared; the imported one is passed over; the committed files
/// stay byte for byte what they were.
/// </summary>
public sealed class RecordRefreshTests
{
    [Fact]
    public async Task Every_fixture_is_re_recorded_into_the_scratch_folder_and_the_committed_ones_are_untouched()
    {
        var real = LocalClaudeContext.Discover();
        MissingPart.Require(ClaudeCodeInstall.Find(real.Home) is not null, $"Claude Code {ClaudeCodeInstall.PinnedVersion} is not installed: tools/localclaude setup");
        using var scratch = new TempDirectory();
        var repo = new RepoLayout(scratch.Combine("repo"));
        CopyFolder(Path.Combine(real.Repo.Traffic, "headless-tool-bash"), Path.Combine(repo.Traffic, "headless-tool-bash"));
        CopyFolder(Path.Combine(real.Repo.Traffic, "headless-greeting"), Path.Combine(repo.Traffic, "imported-one"));
        var manifest = Path.Combine(repo.Traffic, "imported-one", TrafficFixture.ManifestFile);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"mode\": \"headless\"", "\"mode\": \"imported\"", StringComparison.Ordinal));
        var before = Fingerprint(repo.Traffic);
        var context = real with { Repo = repo };

        var refreshed = await RecordingWorkflow.RefreshAllAsync(context, null, scratch.Combine("out"), ProgressLog.Silent, TestContext.Current.CancellationToken);

        var only = refreshed.Should().ContainSingle().Which;
        only.Name.Should().Be("headless-tool-bash");
        only.Problem.Should().BeNull();
        only.Outcome!.Drift.Should().NotBeNull();
        only.Outcome.Plan.OutputDirectory.Should().Be(scratch.Combine("out", "headless-tool-bash"));
        TrafficFixture.Load(scratch.Combine("out", "headless-tool-bash")).Exchanges.Should().NotBeEmpty();
        Fingerprint(repo.Traffic).Should().Equal(before, "refresh must not touch the committed fixtures");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string[] Fingerprint(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(root, f)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}").ToArray();
}
