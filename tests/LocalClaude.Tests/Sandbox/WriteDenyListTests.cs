using LocalClaude.Launcher;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Sandbox;

/// <summary>
/// What the deny list covers beyond a repository's own config and hooks, from an outside review: submodules' and
/// linked worktrees' git folders, a hooks folder named by core.hooksPath, and names the sandbox chose in the
/// launcher's output.
/// </summary>
public sealed class WriteDenyListTests
{
    [Fact]
    public void Submodule_and_worktree_git_folders_and_the_configured_hooks_folder_are_denied_paths()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine(".git", "modules", "sm", "hooks"));
        Directory.CreateDirectory(dir.Combine(".git", "worktrees", "wt1"));
        File.WriteAllText(dir.Combine(".git", "config"), "[core]\n\trepositoryformatversion = 0\n[Core]\n\thooksPath = \".husky\"\n");
        Directory.CreateDirectory(dir.Combine(".husky"));
        var snapshot = WriteDenyList.Take(dir.Path, WriteDenyList.ForWorkDirectory([]));
        foreach (var denied in new[] { ".git/modules", ".git/worktrees", ".git/config", ".git/hooks", ".husky", ".git/objects/info/alternates",
                     ".git/info/attributes", ".npmrc", ".cursor", ".gemini", ".cargo/config.toml" })
            snapshot.Fingerprints.Keys.Should().Contain(denied);
        // The allowed side: the repository's objects, refs and index stay writable.
        Assert.DoesNotContain(snapshot.Fingerprints.Keys, k => k is ".git/objects" or ".git/refs" or ".git/index" or ".git/HEAD"
            || (k.StartsWith(".git/objects/", StringComparison.Ordinal) && k != ".git/objects/info/alternates"));
    }

    [Theory]
    [InlineData("[core]\n\thooksPath = .husky\n", ".husky")]
    [InlineData("[core]\n\thookspath = tools/hooks\n", "tools/hooks")]
    [InlineData("[core]\n\thooksPath = ../elsewhere\n", null)]
    [InlineData("[core]\n\thooksPath = /etc/hooks\n", null)]
    [InlineData("[alias]\n\thooksPath = .husky\n", null)]
    public void The_hooks_path_is_read_from_the_core_section_and_kept_only_inside_the_folder(string config, string? expected)
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine(".git"));
        File.WriteAllText(dir.Combine(".git", "config"), config);
        WriteDenyList.HooksPath(dir.Path, ".git").Should().Be(expected);
    }

    [Fact]
    public void A_name_the_sandbox_chose_cannot_carry_terminal_escapes_or_a_new_line_into_the_launchers_output()
    {
        var printable = LocalLauncher.Printable("/w/evil\u001b]0;INJECTED\u0007\u001b[31mRED\nFAKE LINE/.git.localclaude-untrusted");
        Assert.DoesNotContain(printable, char.IsControl);
        printable.Should().Contain("\\x1b]0;INJECTED\\x07");
        printable.Should().Contain("RED\\x0aFAKE LINE");
    }
}
