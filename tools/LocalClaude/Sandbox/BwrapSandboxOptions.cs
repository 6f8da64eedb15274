namespace LocalClaude.Sandbox;

/// <summary>Which tools build the sandbox and which host identity it runs under.</summary>
public sealed record BwrapSandboxOptions
{
    /// <summary>An id no host account uses (checked by the probe); the sandbox runs as this host uid/gid when we are root.</summary>
    public const int DefaultSandboxId = 917_417;

    public string Bwrap { get; init; } = "bwrap";
    public string Socat { get; init; } = "socat";
    public string Setpriv { get; init; } = "setpriv";
    public string Unshare { get; init; } = "unshare";
    public string Mount { get; init; } = "mount";

    /// <summary>Folders (PATH syntax) to find the tools in; null: this process's PATH.</summary>
    public string? SearchPath { get; init; }

    /// <summary>Host uid the sandbox drops to when the caller is root (a non-root caller keeps its own uid).</summary>
    public int SandboxUid { get; init; } = DefaultSandboxId;
    public int SandboxGid { get; init; } = DefaultSandboxId;

    /// <summary>Where per-sandbox runtime folders (bridge socket, generated /etc files, bind staging) are made; must be world-traversable.</summary>
    public string RuntimeRoot { get; init; } = Path.GetTempPath();
}
