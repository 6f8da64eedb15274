using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Provisioning;

/// <summary>Several Claude Code versions side by side in the cache: which names pass, how they sort, what a missing one says.</summary>
public sealed class ClaudeCodeVersionsTests
{
    [Theory]
    [InlineData("2.1.328")]
    [InlineData("2.1.337")]
    [InlineData("3.0.0-beta.1")]
    public void An_exact_version_passes(string version) => ClaudeCodeInstall.CheckVersion(version).Should().Be(version);

    // The version becomes a folder under the cache: a path, a range or a tag must not.
    [Theory]
    [InlineData("../../etc")]
    [InlineData("2.1.328/../../x")]
    [InlineData("^2.1.0")]
    [InlineData("next")]
    [InlineData("2.1")]
    [InlineData("")]
    [InlineData("2.1.328 ")]
    [InlineData("2.1.328\n")]
    public void Anything_else_is_refused_by_name(string version)
    {
        var error = FluentActions.Invoking(() => ClaudeCodeInstall.CheckVersion(version)).Should().ThrowExactly<ArgumentException>().Which;
        error.Message.Should().Contain($"'{version}'");
    }

    [Fact]
    public void Versions_sort_by_number_and_a_prerelease_before_its_release()
    {
        string[] versions = ["2.1.328", "2.1.99", "2.2.0-rc.1", "2.2.0", "10.0.0"];
        versions.OrderBy(ClaudeCodeInstall.VersionKey).Should().Equal(["2.1.99", "2.1.328", "2.2.0-rc.1", "2.2.0", "10.0.0"]);
    }

    [Fact]
    public void Installed_lists_complete_installs_only_and_require_names_the_setup_command()
    {
        using var cache = new TempDirectory();
        var home = new LocalClaudeHome(cache.Path);
        FakeInstall(home, "2.1.337");
        FakeInstall(home, "2.1.99");
        Directory.CreateDirectory(Path.Combine(home.ClaudeCode, "2.1.400"));      // npm install interrupted: no binary
        Directory.CreateDirectory(Path.Combine(home.ClaudeCode, "not-a-version"));

        ClaudeCodeInstall.Installed(home).Select(i => i.Version).Should().Equal(["2.1.99", "2.1.337"]);
        ClaudeCodeInstall.Require(home, "2.1.337").Binary.Should().EndWith("claude.exe");
        var missing = FluentActions.Invoking(() => ClaudeCodeInstall.Require(home, "2.1.400")).Should().ThrowExactly<FileNotFoundException>().Which;
        missing.Message.Should().Contain("setup --claude-code 2.1.400");
        missing.Message.Should().Contain("installed: 2.1.99, 2.1.337");
    }

    [Fact]
    public void The_launcher_runs_an_installed_version_and_refuses_a_missing_one_or_both_choices()
    {
        using var cache = new TempDirectory();
        var home = new LocalClaudeHome(cache.Path);
        FakeInstall(home, "2.1.337");

        LocalClaude.Launcher.ClaudeCodeLocator.ForLocal(home, null, "2.1.337").Path.Should().Be(ClaudeCodeInstall.Require(home, "2.1.337").Binary);
        FluentActions.Invoking(() => LocalClaude.Launcher.ClaudeCodeLocator.ForLocal(home, null, "2.1.400"))
            .Should().Throw<LocalClaude.Launcher.LaunchRefusedException>().WithMessage("*setup --claude-code 2.1.400*");
        FluentActions.Invoking(() => LocalClaude.Launcher.ClaudeCodeLocator.ForLocal(home, "/usr/bin/true", "2.1.337"))
            .Should().Throw<LocalClaude.Launcher.LaunchRefusedException>().WithMessage("*not both*");
    }

    /// <summary>npm's layout: node_modules/.bin/claude links to the package's native binary.</summary>
    private static void FakeInstall(LocalClaudeHome home, string version)
    {
        var prefix = ClaudeCodeInstall.PrefixFor(home, version);
        var binary = Path.Combine(prefix, "node_modules", "@anthropic-ai", "claude-code", "bin", "claude.exe");
        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        File.WriteAllText(binary, "#!/bin/sh\necho '" + version + " (Claude Code)'\n");
        Directory.CreateDirectory(Path.Combine(prefix, "node_modules", ".bin"));
        File.CreateSymbolicLink(Path.Combine(prefix, "node_modules", ".bin", "claude"), "../@anthropic-ai/claude-code/bin/claude.exe");
    }
}
