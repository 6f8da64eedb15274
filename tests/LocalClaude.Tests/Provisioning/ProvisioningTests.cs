using System.Text.Json;
using LocalClaude.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Provisioning;

/// <summary>What setup left in the cache, checked against the real binaries.</summary>
public sealed class ProvisioningTests
{
    private static readonly LocalClaudeHome Home = LocalClaudeHome.Default();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LlamaServerBuild PinnedBuild()
    {
        var build = new LlamaServerRegistry(Home).Default();
        MissingPart.Require(build is not null, $"no llama-server build of node-llama-cpp {LlamaCppSource.PinnedNpmVersion} in {Home.LlamaBuilds}");
        return build!;
    }

    [Fact]
    public async Task The_provisioned_llama_server_reports_the_release_and_commit_of_its_source()
    {
        var build = PinnedBuild();
        var source = JsonSerializer.Deserialize<LlamaCppSource>(
            await File.ReadAllTextAsync(Path.Combine(Home.Sources, $"node-llama-cpp-{build.NpmVersion}", "source.json"), Ct), JsonDefaults.Indented)!;

        var version = await LlamaServerVersion.ReadAsync(build.Binary, Ct);

        version.Commit.Should().Be(source.Commit);
        version.Should().Be(build.Version);
        // node-llama-cpp names the release as a tag (v0.5.0); the binary prints it without the v and with a suffix.
        version.Version.Should().StartWith(source.ReleaseTag.TrimStart('v'));
        build.Key.Should().Be($"{source.ReleaseTag}-{source.Commit}-cpu");
    }

    [Fact]
    public async Task A_second_setup_builds_nothing_and_keeps_every_cached_part()
    {
        var build = PinnedBuild();
        var claude = ClaudeCodeInstall.Find(Home);
        MissingPart.Require(claude is not null, "Claude Code is not installed in the cache");
        var manifest = Path.Combine(Path.GetDirectoryName(build.Binary)!, LlamaServerBuild.ManifestName);
        var before = new[] { build.Binary, manifest, claude!.Binary }.Select(p => (p, File.GetLastWriteTimeUtc(p))).ToList();
        var output = new StringWriter();

        var result = await Provisioner.RunAsync(Home, new ProvisioningRequest { SkipSystemPackages = true }, new ProgressLog(output), Ct);

        result.Builds[0].Binary.Should().Be(build.Binary);
        foreach (var (path, time) in before) Assert.Equal(time, File.GetLastWriteTimeUtc(path));
        output.ToString().Should().Contain("cached:");
        output.ToString().Should().NotContain("cmake");
        output.ToString().Should().NotContain("npm install");
    }

    [Fact]
    public async Task Doctor_finds_every_required_component_after_setup()
    {
        PinnedBuild();
        var report = await ComponentCheck.RunAsync(LocalClaudeContext.Discover(), Ct);
        var missing = report.Where(c => c.Required && !c.Found).Select(c => $"{c.Name}: {c.Hint}").ToList();
        MissingPart.Require(missing.Count == 0, $"doctor reports missing components: {string.Join("; ", missing)}");
        report.Should().Contain(c => c.Name == "claude-code" && c.Version == ClaudeCodeInstall.PinnedVersion);
        report.Should().Contain(c => c.Name == "llama-server (default)" && c.Version!.Contains(PinnedBuild().Commit!));
    }

    [Theory]
    [InlineData("version: 0.5.0-dev (build 1, commit de3ff81)\nbuilt with GNU 12.2.0 for Linux x86_64", "0.5.0-dev", 1, "de3ff81")]
    [InlineData("0.00.000.309 I srv  llama_server: initializing ...\nversion: 6431 (b6431)\nbuilt with cc", "6431", null, null)]
    [InlineData("version: 8095 (build 8095, commit 1a2b3c4)", "8095", 8095, "1a2b3c4")]
    public void Version_lines_of_old_and_new_releases_parse(string output, string version, int? build, string? commit)
    {
        var parsed = LlamaServerVersion.Parse(output);
        parsed.Version.Should().Be(version);
        parsed.Build.Should().Be(build);
        parsed.Commit.Should().Be(commit);
    }

    [Fact]
    public void Output_without_a_version_line_is_an_error_that_shows_the_output()
    {
        var e = FluentActions.Invoking(() => LlamaServerVersion.Parse("error: unknown argument --version")).Should().ThrowExactly<FormatException>().Which;
        e.Message.Should().Contain("unknown argument");
    }
}
