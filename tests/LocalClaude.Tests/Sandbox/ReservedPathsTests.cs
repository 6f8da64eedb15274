using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Sandbox;

/// <summary>The one containment rule (<see cref="ReservedPaths"/>, <see cref="RealPath"/>): is, holds, lies inside; symlinks and .. resolved first.</summary>
public sealed class ReservedPathsTests
{
    /// <summary>A fake user HOME with a ~/.claude, a fake repo and cache, all under one temp folder.</summary>
    private sealed class World : IDisposable
    {
        private readonly TempDirectory _temp = new("lc-reserved");

        public World()
        {
            Home = Directory.CreateDirectory(_temp.Combine("home", "user")).FullName;
            Directory.CreateDirectory(Path.Combine(Home, ".claude"));
            Repo = MakeCheckout(_temp.Combine("repo"));
            Cache = Directory.CreateDirectory(Path.Combine(Home, ".cache", "localclaude")).FullName;
            Reserved = ReservedPaths.ForLaunch(Repo, Cache, Home);
        }

        public string Root => _temp.Path;
        public string Home { get; }
        public string Repo { get; }
        public string Cache { get; }
        public ReservedPaths Reserved { get; }
        public void Dispose() => _temp.Dispose();
    }

    internal static string MakeCheckout(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "tools"));
        File.WriteAllText(Path.Combine(folder, "LocalClaude.sln"), "");
        File.WriteAllText(Path.Combine(folder, "tools", "localclaude"), "#!/bin/sh\n");
        return folder;
    }

    [Theory]
    [InlineData("/a/b", "/a", true)]
    [InlineData("/a", "/a", true)]
    [InlineData("/ab", "/a", false)]
    [InlineData("/a", "/a/b", false)]
    [InlineData("/anything", "/", true)]
    public void Is_same_or_inside_compares_whole_path_components(string path, string folder, bool expected) =>
        Assert.Equal(expected, RealPath.IsSameOrInside(path, folder));

    [Fact]
    public void Real_path_resolves_links_and_dot_dot_and_keeps_a_missing_tail()
    {
        using var world = new World();
        var link = Path.Combine(world.Root, "link-to-repo");
        File.CreateSymbolicLink(link, world.Repo);
        Assert.Equal(world.Repo, RealPath.Of(link));
        Assert.Equal(Path.Combine(world.Repo, "tools"), RealPath.Of(Path.Combine(link, "x", "..", "tools")));
        Assert.Equal(Path.Combine(world.Repo, "not", "yet"), RealPath.Of(Path.Combine(link, "not", "yet")));
        // ".." after a link goes to the link target's parent, as the kernel (and bwrap) would, not back beside the link.
        var deep = Directory.CreateDirectory(Path.Combine(world.Repo, "tools", "deep")).FullName;
        var toDeep = Path.Combine(world.Root, "to-deep");
        File.CreateSymbolicLink(toDeep, deep);
        Assert.Equal(Path.Combine(world.Repo, "tools"), RealPath.Of(Path.Combine(toDeep, "..")));
        // A dangling link counts as where it points: a link to a reserved path that does not exist yet is that path.
        var dangling = Path.Combine(world.Root, "dangling");
        File.CreateSymbolicLink(dangling, Path.Combine(world.Home, ".claude.json"));
        Assert.Equal(Path.Combine(world.Home, ".claude.json"), RealPath.Of(dangling));
        Assert.Null(RealPath.OfExisting(dangling));
    }

    [Fact]
    public void A_link_loop_is_an_error_not_a_hang()
    {
        using var world = new World();
        var a = Path.Combine(world.Root, "a");
        File.CreateSymbolicLink(a, Path.Combine(world.Root, "b"));
        File.CreateSymbolicLink(Path.Combine(world.Root, "b"), a);
        Assert.Throws<IOException>(() => RealPath.Of(Path.Combine(a, "x")));
    }

    [Fact]
    public void Each_relation_is_named_with_the_reserved_path()
    {
        using var world = new World();
        Assert.Equal(ReservedRelation.Is, world.Reserved.Conflict(world.Repo)!.Relation);
        var parent = world.Reserved.Conflict(world.Root)!;
        Assert.Equal(ReservedRelation.ParentOf, parent.Relation);
        var inside = world.Reserved.Conflict(Path.Combine(world.Repo, "tools"))!;
        Assert.Equal(ReservedRelation.Inside, inside.Relation);
        Assert.Contains($"is inside the LocalClaude repository", inside.Describe("work dir"));
        Assert.Contains(world.Repo, inside.Describe("work dir"));
    }

    [Fact]
    public void Home_is_refused_itself_but_a_project_inside_it_is_free()
    {
        using var world = new World();
        Assert.Equal(ReservedRelation.ParentOf, world.Reserved.Conflict(world.Home)!.Relation); // it holds ~/.claude
        Assert.Contains("your Claude Code config ~/.claude", world.Reserved.Conflict(world.Home)!.Reserved.What);
        var project = Directory.CreateDirectory(Path.Combine(world.Home, "src", "project")).FullName;
        Assert.Null(world.Reserved.Conflict(project));
        Assert.Equal(ReservedRelation.Inside, world.Reserved.Conflict(Path.Combine(world.Home, ".claude", "projects"))!.Relation);
        Assert.Equal(ReservedRelation.Is, world.Reserved.Conflict(Path.Combine(world.Home, ".claude.json"))!.Relation);
    }

    [Fact]
    public void The_cache_is_refused_inside_for_arguments_but_its_run_folders_are_free_for_a_sandbox()
    {
        using var world = new World();
        var runs = Path.Combine(world.Cache, "runs", "e2e-1", "work");
        var binaries = Path.Combine(world.Cache, "llama", "b1", "bin");
        Assert.Equal(ReservedRelation.Inside, world.Reserved.Conflict(runs)!.Relation);
        Assert.Equal(ReservedRelation.Inside, world.Reserved.Conflict(binaries)!.Relation);

        var sandbox = ReservedPaths.ForSandbox(new LocalClaudeHome(world.Cache), world.Home);
        Assert.Null(sandbox.Conflict(runs));
        Assert.Null(sandbox.Conflict(Path.Combine(world.Cache, "launch", "homes", "cpu-tiny")));
        Assert.Equal(ReservedRelation.Inside, sandbox.Conflict(binaries)!.Relation);
        Assert.Equal(ReservedRelation.Is, sandbox.Conflict(world.Cache)!.Relation);
    }

    [Theory]
    [InlineData("/usr", ReservedRelation.Is)]
    [InlineData("/usr/local/src/project", ReservedRelation.Inside)]
    [InlineData("/etc/localclaude", ReservedRelation.Inside)]
    [InlineData("/var/lib/project", ReservedRelation.Inside)]
    [InlineData("/proc/self", ReservedRelation.Inside)]
    [InlineData("/boot", ReservedRelation.Is)]
    public void System_folders_are_refused_with_everything_inside(string path, ReservedRelation relation)
    {
        using var world = new World();
        Assert.Equal(relation, world.Reserved.Conflict(path)?.Relation);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/tmp")]
    [InlineData("/var/tmp")]
    [InlineData("/home")]
    [InlineData("/mnt")]
    public void Shared_folders_themselves_are_refused(string path)
    {
        using var world = new World();
        Assert.NotNull(world.Reserved.Conflict(path));
        Assert.NotNull(ReservedPaths.ForSandbox(new LocalClaudeHome(world.Cache), world.Home).WritableFolderConflict(path));
    }

    [Theory]
    [InlineData("/tmp/project")]
    [InlineData("/var/tmp/project")]
    [InlineData("/mnt/data/project")]
    public void A_project_in_a_shared_folder_is_free(string path)
    {
        using var world = new World();
        Assert.Null(world.Reserved.Conflict(path));
    }

    [Fact]
    public void A_home_inside_a_system_folder_stays_usable_and_the_rest_of_the_folder_does_not()
    {
        // A CI agent's HOME such as /var/lib/jenkins: projects and the cache's run folders in it are free.
        var home = "/var/lib/lc-test-home";
        var reserved = ReservedPaths.ForSandbox(new LocalClaudeHome(home + "/.cache/localclaude"), home);
        Assert.Null(reserved.Conflict(home + "/workspace/project"));
        Assert.Null(reserved.Conflict(home + "/.cache/localclaude/runs/e2e-1/work"));
        Assert.Equal(ReservedRelation.Inside, reserved.Conflict("/var/lib/dpkg")!.Relation);
        Assert.NotNull(reserved.Conflict(home));
    }

    [Fact]
    public void A_top_level_folder_is_never_a_writable_folder()
    {
        using var world = new World();
        Assert.Null(world.Reserved.Conflict("/data-localclaude-test"));
        Assert.Contains("a top-level folder", world.Reserved.WritableFolderConflict("/data-localclaude-test")!.Describe("work dir"));
    }

    [Fact]
    public void Another_checkout_is_found_by_its_markers_at_above_and_below()
    {
        using var world = new World();
        var other = MakeCheckout(Path.Combine(world.Root, "elsewhere", "projects", "LocalClaude"));
        Assert.Equal(ReservedRelation.Is, world.Reserved.Conflict(other)!.Relation);
        Assert.Equal(ReservedRelation.Inside, world.Reserved.Conflict(Path.Combine(other, "tools"))!.Relation);
        var above = world.Reserved.Conflict(Path.Combine(world.Root, "elsewhere"))!;
        Assert.Equal(ReservedRelation.ParentOf, above.Relation);
        Assert.Contains("a LocalClaude checkout", above.Describe("work dir"));
        // Only one marker is not a checkout.
        var half = Directory.CreateDirectory(Path.Combine(world.Root, "half")).FullName;
        File.WriteAllText(Path.Combine(half, "LocalClaude.sln"), "");
        Assert.Null(world.Reserved.Conflict(half));
    }

    [Fact]
    public void A_link_to_a_reserved_folder_is_that_folder()
    {
        using var world = new World();
        var link = Path.Combine(world.Root, "innocent");
        File.CreateSymbolicLink(link, Path.Combine(world.Home, ".claude"));
        var conflict = world.Reserved.Conflict(link)!;
        Assert.Equal(ReservedRelation.Is, conflict.Relation);
        Assert.Equal(Path.Combine(world.Home, ".claude"), conflict.Candidate);
    }
}
