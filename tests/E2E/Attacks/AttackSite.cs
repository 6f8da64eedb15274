using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LocalClaude.E2E.Tests.Launcher;
using LocalClaude.Infrastructure;

namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>What a launch left: the launcher's exit and output, and what the attack script noted inside.</summary>
internal sealed record AttackOutcome(int ExitCode, string Output, TimeSpan Elapsed, IReadOnlyDictionary<string, IReadOnlyList<string>> Notes, string Results)
{
    /// <summary>The lines an attack noted ("key=value"), none if it noted nothing.</summary>
    public IReadOnlyList<string> Note(string name) => Notes.TryGetValue(name, out var lines) ? lines : [];

    /// <summary>A file the script wrote under WORK/.attack ("" if none).</summary>
    public string File(string name)
    {
        var path = Path.Combine(Results, name);
        return System.IO.File.Exists(path) ? System.IO.File.ReadAllText(path) : "";
    }

    /// <summary>The allowed path worked in this run: the model answered a real POST /v1/messages and the work dir took a file.</summary>
    public void AssertAllowed(string name)
    {
        var lines = Note(name);
        (lines.Contains("post=200") && lines.Contains("message=yes") && lines.Contains("write=ok")).Should().BeTrue($"the allowed path '{name}' did not work inside (POST /v1/messages to the model, a file in the work dir): [{string.Join(", ", lines)}]\n{Describe()}");
    }

    public string Describe() => $"launcher exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s; output tail:\n{(Output.Length > 3000 ? Output[^3000..] : Output)}\nscript stderr tail:\n{Tail(File("stderr.log"))}";

    private static string Tail(string text) => text.Length > 2000 ? text[^2000..] : text;
}

/// <summary>
/// The host side of one attack launch: a scratch folder (work dir, sandbox HOME, the attack script), a host folder
/// the sandbox must not reach (<see cref="Outside"/>, with victim files owned by another user), canary files in the
/// places guarantee 2 protects, decoy listeners, and victim processes. The script gets every host fact it attacks in
/// a generated header. Everything is removed or killed on dispose.
/// </summary>
internal sealed partial class AttackSite : IDisposable
{
    public const int VictimUid = 4242;
    private readonly List<Process> _victims = [];
    private readonly List<string> _canaries = [];

    public AttackSite(string label)
    {
        Mark = label + "-" + Guid.NewGuid().ToString("N")[..10];
        Scratch = new Scratch();
        Outside = Directory.CreateDirectory(Path.Combine(Scratch.Root, "outside")).FullName;
        Decoys = new Decoys(Outside);
        Script = Path.Combine(Directory.CreateDirectory(Path.Combine(Scratch.Root, "bin")).FullName, $"lc-attack-{Mark}.sh");
        Canary = "lc-canary-" + Mark;
        // The places guarantee 2 protects, and the attack script's own folder (escape d).
        PlantCanary(Path.Combine(UserHome, $"lc-attack-{Mark}-canary"));
        PlantCanary(Path.Combine(Scratch.Root, ".claude", "settings.json"));
        PlantCanary(Path.Combine(Scratch.Root, "CLAUDE.md"));
        PlantCanary(Path.Combine(LauncherCli.Repo.Root, $"lc-attack-{Mark}-canary"));
        if (Directory.Exists(Cache)) PlantCanary(Path.Combine(Cache, $"lc-attack-{Mark}-canary"));
        PlantCanary(Path.Combine(Outside, $"lc-attack-{Mark}-canary"));
        PlantCanary(Path.Combine(Path.GetDirectoryName(Script)!, $"lc-attack-{Mark}-canary"));
        PlantCanary(Path.Combine(Path.GetTempPath(), $"lc-attack-{Mark}-canary"));
        // Victims owned by someone else, so a chown or chmod through a planted link shows.
        File.WriteAllText(VictimFile, "victim\n");
        Directory.CreateDirectory(VictimDirectory);
        // What a launcher moving planted files aside would find behind a link (HOME/.config/git, .git/hooks).
        foreach (var sub in new[] { "git", "hooks" })
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(VictimDirectory, sub)).FullName, "config"), "victim\n");
        Host("chown", "-R", $"{VictimUid}:{VictimUid}", VictimFile, VictimDirectory);
        Host("chmod", "0640", VictimFile);
        Host("chmod", "0750", VictimDirectory);
        VictimBefore = Fingerprint(VictimFile) + Fingerprint(VictimDirectory);
        Victim = StartVictim();
        Victim2 = StartVictim();
    }

    public string Mark { get; }
    public Scratch Scratch { get; }
    public string Outside { get; }
    public Decoys Decoys { get; }
    public string Script { get; }
    public string Canary { get; }
    public IReadOnlyList<string> Canaries => _canaries;
    public string VictimFile => Path.Combine(Outside, "victim-file");
    public string VictimDirectory => Path.Combine(Outside, "victim-dir");
    public string VictimBefore { get; }
    public int Victim { get; }
    public int Victim2 { get; }
    public string Results => Path.Combine(Scratch.Work, ".attack");
    public static string UserHome => ClaudeConfigFingerprint.UserHome;
    public static string Cache => LocalClaudeHome.Default().Root;

    /// <summary>The host folders a write from inside might land in (each checked for a file named with the mark).</summary>
    public IReadOnlyList<string> HostFolders =>
    [
        Scratch.Root, Outside, "/tmp", "/var/tmp", "/dev/shm", UserHome, "/etc", "/usr/local", "/opt", "/srv", "/run", "/var",
        LauncherCli.Repo.Root, Path.Combine(LauncherCli.Repo.Root, "tools"), Cache, Path.GetDirectoryName(Script)!,
    ];

    /// <summary>Host files (anywhere the attacks aim) whose name carries this run's mark and <paramref name="kind"/>.</summary>
    public IReadOnlyList<string> Markers(string kind) =>
        HostFolders.Where(Directory.Exists).SelectMany(d => SafeList(d, $"lc-attack-{Mark}-{kind}*")).Distinct().ToArray();

    /// <summary>The work dir as a git repository with one commit, as a user's project is.</summary>
    public void InitGit()
    {
        File.WriteAllText(Path.Combine(Scratch.Work, "README.txt"), "a project\n");
        Git("init", "-q");
        Git("add", "README.txt");
        Git("-c", "user.email=user@host", "-c", "user.name=user", "commit", "-q", "-m", "first");
    }

    /// <summary>
    /// A populated submodule <c>sub</c> (its git folder in <c>.git/modules/sub</c>, a gitfile in <c>sub/.git</c>): the
    /// host's <c>git status</c> recurses into it, reading that folder's config and hooks.
    /// </summary>
    public void AddSubmodule()
    {
        var source = Path.Combine(Scratch.Root, "sub-source");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "lib.txt"), "a library\n");
        Host("git", "-C", source, "init", "-q");
        Host("git", "-C", source, "add", "lib.txt");
        Host("git", "-C", source, "-c", "user.email=user@host", "-c", "user.name=user", "commit", "-q", "-m", "lib");
        var added = Git("-c", "protocol.file.allow=always", "submodule", "add", "-q", source, "sub");
        if (added.ExitCode != 0) throw new InvalidOperationException($"git submodule add failed: {added.StandardError}");
        Git("-c", "user.email=user@host", "-c", "user.name=user", "commit", "-q", "-m", "submodule");
    }

    /// <summary>Runs git in the work dir as the user would on the host afterwards.</summary>
    public CommandResult Git(params string[] arguments) => Host("git", ["-C", Scratch.Work, .. arguments]);

    /// <summary>Writes the script: the header of host facts, the helpers, then <paramref name="body"/>.</summary>
    public void WriteScript(string body, int modelPort, IReadOnlyDictionary<string, string>? more = null)
    {
        var header = new StringBuilder("#!/bin/bash\n# attack script of one test run: host facts first\n");
        void Set(string name, object value) => header.Append(name).Append("='").Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("'\n");
        Set("MARK", Mark);
        Set("SCRATCH", Scratch.Root);
        Set("OUTSIDE", Outside);
        Set("USERHOME", UserHome);
        Set("REPO", LauncherCli.Repo.Root);
        Set("CACHE", Cache);
        Set("SCRIPT", Script);
        Set("CANARY", Canary);
        Set("CANARIES", string.Join(' ', _canaries));
        Set("DECOY4", Decoys.Loopback4);
        Set("DECOY6", Decoys.Loopback6);
        Set("DECOYANY", Decoys.AnyIPv4);
        Set("UDP", Decoys.Udp);
        Set("ABSTRACT", Decoys.AbstractName);
        Set("UNIXPATH", Decoys.UnixPath);
        Set("VICTIM", Victim);
        Set("VICTIM2", Victim2);
        Set("TESTPID", Environment.ProcessId);
        Set("MODELPORT_HOST", modelPort);
        foreach (var (name, value) in more ?? new Dictionary<string, string>()) Set(name, value);
        File.WriteAllText(Script, header + AttackScripts.Prelude + "\n" + body + "\n");
        File.SetUnixFileMode(Script, (UnixFileMode)0b111_101_101);
        ScriptBefore = File.ReadAllText(Script);
    }

    public string ScriptBefore { get; private set; } = "";

    public IReadOnlyDictionary<string, IReadOnlyList<string>> ReadNotes() =>
        Directory.Exists(Results)
            ? Directory.GetFiles(Results, "*.txt").ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => (IReadOnlyList<string>)File.ReadAllLines(f))
            : new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The owner, mode, size, mtime (and entries, for a folder) of a victim.</summary>
    public static string Fingerprint(string path)
    {
        var stat = Host("stat", "-c", "%u:%g %a %s %Y %h", "--", path).StandardOutput.Trim();
        var entries = Directory.Exists(path)
            ? string.Join(',', Directory.GetFileSystemEntries(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(e => e + " " + Host("stat", "-c", "%u:%g %a", "--", e).StandardOutput.Trim()))
            : File.ReadAllText(path);
        return $"{path}: {stat} [{entries}]\n";
    }

    public string VictimNow() => Fingerprint(VictimFile) + Fingerprint(VictimDirectory);

    public static CommandResult Host(string file, params string[] arguments) =>
        ExternalCommand.RunAsync(file, arguments, new CommandOptions { Timeout = TimeSpan.FromSeconds(30), ThrowOnFailure = false }).GetAwaiter().GetResult();

    /// <summary>A file with the canary text at <paramref name="path"/>, listed for the script (CANARIES) and removed on dispose.</summary>
    public void PlantCanary(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Canary + "\n");
        _canaries.Add(path);
    }

    private int StartVictim()
    {
        var victim = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        _victims.Add(victim);
        return victim.Id;
    }

    private static IEnumerable<string> SafeList(string folder, string pattern)
    {
        try { return Directory.GetFileSystemEntries(folder, pattern); }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    public void Dispose()
    {
        foreach (var victim in _victims)
        {
            try { victim.Kill(); } catch (InvalidOperationException) { }
            victim.Dispose();
        }
        foreach (var canary in _canaries)
        {
            try { File.Delete(canary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        // What an escape left in host folders is removed too (the test has already failed on it).
        foreach (var left in Markers(""))
        {
            try { if (Directory.Exists(left)) Directory.Delete(left, true); else File.Delete(left); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        Decoys.Dispose();
        Host("chmod", "-R", "u+rwX", Scratch.Root);
        Scratch.Dispose();
    }

    [GeneratedRegex(@"bubblewrap ([0-9a-f]{12}):")]
    public static partial Regex SandboxId();
}
