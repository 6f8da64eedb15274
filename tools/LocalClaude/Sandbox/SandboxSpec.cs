namespace LocalClaude.Sandbox;

/// <summary>A host file or folder that the sandbox sees read-only at <see cref="InsidePath"/>.</summary>
public sealed record ReadOnlyBind(string HostPath, string InsidePath)
{
    public static ReadOnlyBind SamePath(string hostPath) => new(hostPath, hostPath);
}

/// <summary>What one sandbox looks like from inside.</summary>
public sealed record SandboxSpec
{
    /// <summary>Where <see cref="HomeDirectory"/> appears inside; also HOME there.</summary>
    public const string HomeInside = "/home/sbx";
    public const string DefaultWorkInside = "/work";

    /// <summary>Host folder the sandbox may write to (the only writable host folder besides the HOME).</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Host folder that becomes HOME (<see cref="HomeInside"/>): Claude Code's own ~/.claude and ~/.claude.json.</summary>
    public required string HomeDirectory { get; init; }

    /// <summary>Where the work dir appears inside; a fixed path keeps recorded prompts identical between runs.</summary>
    public string WorkDirectoryInside { get; init; } = DefaultWorkInside;

    /// <summary>More host paths, read-only (e.g. the folder holding the Claude Code binary).</summary>
    public IReadOnlyList<ReadOnlyBind> ReadOnlyBinds { get; init; } = [];

    /// <summary>
    /// More paths, relative to the work dir and to the HOME, that the sandbox must not create or change, on top of
    /// <see cref="WriteDenyList"/>'s mandatory ones (e.g. <c>Makefile</c>, <c>.pre-commit-config.yaml</c>).
    /// </summary>
    public IReadOnlyList<string> DenyWrite { get; init; } = [];

    /// <summary>The model server's port (1024-65535): host 127.0.0.1:PORT appears at 127.0.0.1:PORT inside. Null: no network at all.</summary>
    public int? ModelServerPort { get; init; }

    /// <summary>
    /// The only variables set inside besides HOME, USER, LOGNAME, SHELL, PATH, LANG, TMPDIR, TERM (these may be overridden).
    /// They travel on bwrap's command line, so they are visible to `ps` on the host: pass no real secrets.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Run attached to a terminal (e.g. under tmux): keeps the terminal's session so keys and resizes arrive.</summary>
    public bool Interactive { get; init; }

    /// <summary>Size of each private tmpfs (/tmp and /dev/shm): they live in memory and vanish with the sandbox.</summary>
    public long TmpfsBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Processes, memory, file size and CPU time for everything inside.</summary>
    public SandboxLimits Limits { get; init; } = SandboxLimits.Default;
}
