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
        RealPath.IsSameOrInside(path, folder).Should().Be(expected);

    [Fact]
    public void Real_path_resolves_links_and_dot_dot_and_keeps_a_missing_tail()
    {
        using var world = new World();
        var link = Path.Combine(world.Root, "link-to-repo");
        File.CreateSymbolicLink(link, world.Repo);
        RealPath.Of(link).Should().Be(world.Repo);
        RealPath.Of(Path.Combine(link, "x", "..", "tools")).Should().Be(Path.Combine(world.Repo, "tools"));
        RealPath.Of(Path.Combine(link, "not", "yet")).Should().Be(Path.Combine(world.Repo, "not", "yet"));
        // ".." after a link goes to the link target's parent, as the kernel (and bwrap) would, not back beside the link.
        var deep = Directory.CreateDirectory(Path.Combine(world.Repo, "tools", "deep")).FullName;
        var toDeep = Path.Combine(world.Root, "to-deep");
        File.CreateSymbolicLink(toDeep, deep);
        RealPath.Of(Path.Combine(toDeep, "..")).Should().Be(Path.Combine(world.Repo, "tools"));
        // A dangling link counts as where it points: a link to a reserved path that does not exist yet is that path.
        var dangling = Path.Combine(world.Root, "dangling");
        File.CreateSymbolicLink(dangling, Path.Combine(world.Home, ".claude.json"));
        RealPath.Of(dangling).Should().Be(Path.Combine(world.Home, ".claude.json"));
        RealPath.OfExisting(dangling).Should().BeNull();
    }

    [Fact]
    public void A_link_loop_is_an_error_not_a_hang()
    {
        using var world = new World();
        var a = Path.Combine(world.Root, "a");
        File.CreateSymbolicLink(a, Path.Combine(world.Root, "b"));
        File.CreateSymbolicLink(Path.Combine(world.Root, "b"), a);
        FluentActions.Invoking(() => RealPath.Of(Path.Combine(a, "x"))).Should().ThrowExactly<IOException>();
    }

    [Fact]
    public void Each_relation_is_named_with_the_reserved_path()
    {
        using var world = new World();
        world.Reserved.Conflict(world.Repo)!.Relation.Should().Be(ReservedRelation.Is);
        var parent = world.Reserved.Conflict(world.Root)!;
        parent.Relation.Should().Be(ReservedRelation.ParentOf);
        var inside = world.Reserved.Conflict(Path.Combine(world.Repo, "tools"))!;
        inside.Relation.Should().Be(ReservedRelation.Inside);
        inside.Describe("work dir").Should().Contain($"is inside the LocalClaude repository");
        inside.Describe("work dir").Should().Contain(world.Repo);
    }

    [Fact]
    public void Home_is_refused_itself_but_a_project_inside_it_is_free()
    {
        using var world = new World();
        world.Reserved.Conflict(world.Home)!.Relation.Should().Be(ReservedRelation.ParentOf); // it holds ~/.claude
        world.Reserved.Conflict(world.Home)!.Reserved.What.Should().Contain("your Claude Code config ~/.claude");
        var project = Directory.CreateDirectory(Path.Combine(world.Home, "src", "project")).FullName;
        world.Reserved.Conflict(project).Should().BeNull();
        world.Reserved.Conflict(Path.Combine(world.Home, ".claude", "projects"))!.Relation.Should().Be(ReservedRelation.Inside);
        world.Reserved.Conflict(Path.Combine(world.Home, ".claude.json"))!.Relation.Should().Be(ReservedRelation.Is);
    }

    [Fact]
    public void The_cache_is_refused_inside_for_arguments_but_its_run_folders_are_free_for_a_sandbox()
    {
        using var world = new World();
        var runs = Path.Combine(world.Cache, "runs", "e2e-1", "work");
        var binaries = Path.Combine(world.Cache, "llama", "b1", "bin");
        world.Reserved.Conflict(runs)!.Relation.Should().Be(ReservedRelation.Inside);
        world.Reserved.Conflict(binaries)!.Relation.Should().Be(ReservedRelation.Inside);

        var sandbox = ReservedPaths.ForSandbox(new LocalClaudeHome(world.Cache), world.Home);
        sandbox.Conflict(runs).Should().BeNull();
        sandbox.Conflict(Path.Combine(world.Cache, "launch", "homes", "cpu-tiny")).Should().BeNull();
        sandbox.Conflict(binaries)!.Relation.Should().Be(ReservedRelation.Inside);
        sandbox.Conflict(world.Cache)!.Relation.Should().Be(ReservedRelation.Is);
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
        (world.Reserved.Conflict(path)?.Relation).Should().Be(relation);
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
        world.Reserved.Conflict(path).Should().NotBeNull();
        ReservedPaths.ForSandbox(new LocalClaudeHome(world.Cache), world.Home).WritableFolderConflict(path).Should().NotBeNull();
    }

    [Theory]
    [InlineData("/tmp/project")]
    [InlineData("/var/tmp/project")]
    [InlineData("/mnt/data/project")]
    public void A_project_in_a_shared_folder_is_free(string path)
    {
        using var world = new World();
        world.Reserved.Conflict(path).Should().BeNull();
    }

    [Fact]
    public void A_home_inside_a_system_folder_stays_usable_and_the_rest_of_the_folder_does_not()
    {
        // A CI agent's HOME such as /var/lib/jenkins: projects and the cache's run folders in it are free.
        var home = "/var/lib/lc-test-home";
        var reserved = ReservedPaths.ForSandbox(new LocalClaudeHome(home + "/.cache/localclaude"), home);
        reserved.Conflict(home + "/workspace/project").Should().BeNull();
        reserved.Conflict(home + "/.cache/localclaude/runs/e2e-1/work").Should().BeNull();
        reserved.Conflict("/var/lib/dpkg")!.Relation.Should().Be(ReservedRelation.Inside);
        reserved.Conflict(home).Should().NotBeNull();
    }

    [Fact]
    public void A_top_level_folder_is_never_a_writable_folder()
    {
        using var world = new World();
        world.Reserved.Conflict("/data-localclaude-test").Should().BeNull();
        world.Reserved.WritableFolderConflict("/data-localclaude-test")!.Describe("work dir").Should().Contain("a top-level folder");
    }

    [Fact]
    public void Another_checkout_is_found_by_its_markers_at_above_and_below()
    {
        using var world = new World();
        var other = MakeCheckout(Path.Combine(world.Root, "elsewhere", "projects", "LocalClaude"));
        world.Reserved.Conflict(other)!.Relation.Should().Be(ReservedRelation.Is);
        world.Reserved.Conflict(Path.Combine(other, "tools"))!.Relation.Should().Be(ReservedRelation.Inside);
        var above = world.Reserved.Conflict(Path.Combine(world.Root, "elsewhere"))!;
        above.Relation.Should().Be(ReservedRelation.ParentOf);
        above.Describe("work dir").Should().Contain("a LocalClaude checkout");
        // Only one marker is not a checkout.
        var half = Directory.CreateDirectory(Path.Combine(world.Root, "half")).FullName;
        File.WriteAllText(Path.Combine(half, "LocalClaude.sln"), "");
        world.Reserved.Conflict(half).Should().BeNull();
    }

    [Fact]
    public void A_link_to_a_reserved_folder_is_that_folder()
    {
        using var world = new World();
        var link = Path.Combine(world.Root, "innocent");
        File.CreateSymbolicLink(link, Path.Combine(world.Home, ".claude"));
        var conflict = world.Reserved.Conflict(link)!;
        conflict.Relation.Should().Be(ReservedRelation.Is);
        conflict.Candidate.Should().Be(Path.Combine(world.Home, ".claude"));
    }
}
