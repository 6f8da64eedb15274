using System.Globalization;

namespace LocalClaude.Sandbox;

/// <summary>Which resource limit ended a sandboxed command.</summary>
public enum SandboxLimit
{
    None,
    /// <summary>RLIMIT_CPU: SIGXCPU at the limit (SIGKILL <see cref="SandboxLimits.CpuGraceSeconds"/> later).</summary>
    CpuTime,
    /// <summary>RLIMIT_FSIZE: SIGXFSZ on a write past the limit.</summary>
    FileSize,
    /// <summary>RLIMIT_NPROC: fork/clone fail with EAGAIN.</summary>
    Processes,
    /// <summary>RLIMIT_DATA: allocations fail with ENOMEM.</summary>
    Memory,
    /// <summary>The session's cgroup: the kernel's OOM killer ended a process (SIGKILL) because the whole sandbox reached its bound.</summary>
    SandboxMemory,
}

/// <summary>
/// Resource limits for everything in one sandbox, in two layers the launcher sets before it drops privileges, so
/// nothing inside (no capabilities) can raise them: a memory cgroup for the session as a whole
/// (<see cref="MaxSandboxMemoryBytes"/>; v2, else v1, where the caller can create one, see <see cref="SandboxCgroup"/>),
/// and hard rlimits, which need nothing from the host. The rlimits are per process, except <see cref="MaxProcesses"/>,
/// which counts every task (thread) of the sandbox's host uid (dedicated when the caller is root).
/// </summary>
public sealed record SandboxLimits
{
    public const int CpuGraceSeconds = 5;

    /// <summary>Tasks (processes and threads) of the sandbox uid. Claude Code (Bun) runs about 20 threads, its tools a few each.</summary>
    public int MaxProcesses { get; init; } = 2048;

    /// <summary>
    /// Private writable memory per process (RLIMIT_DATA: heap and anonymous mappings). Not RLIMIT_AS: Bun's JavaScriptCore
    /// reserves tens of GiB of address space it never touches (PROT_NONE), which RLIMIT_AS counts and RLIMIT_DATA does not.
    /// </summary>
    public long MaxMemoryBytes { get; init; } = 8L * 1024 * 1024 * 1024;

    /// <summary>
    /// Resident memory (and swap) of all processes of the session together, through its cgroup. Default: 8 GiB, or half
    /// the host's memory if less. Claude Code needs about 300 MB resident and its tools (a compiler, a test run) a few GiB;
    /// the rest stays for the host and the model server, which runs outside the sandbox and holds the weights.
    /// </summary>
    public long MaxSandboxMemoryBytes { get; init; } = Math.Min(8L * 1024 * 1024 * 1024, HostMemoryBytes() / 2);

    /// <summary>What enforces <see cref="MaxSandboxMemoryBytes"/> in a started session ("cgroup v1"/"cgroup v2"); null: nothing (rlimits only).</summary>
    public string? SandboxWideBy { get; internal init; }

    /// <summary>Largest file a process may write (RLIMIT_FSIZE).</summary>
    public long MaxFileBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>CPU seconds per process (RLIMIT_CPU); wall time is the caller's timeout (RunAsync, the E2E task, the user).</summary>
    public int MaxCpuSeconds { get; init; } = 6 * 3600;

    public static SandboxLimits Default { get; } = new();

    /// <summary>One line for the launch banner.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{MaxProcesses} processes/threads, {MaxMemoryBytes / (1024 * 1024)} MiB memory and {MaxCpuSeconds} s CPU per process, files up to {MaxFileBytes / (1024 * 1024)} MiB; ")
        + (SandboxWideBy is { } by
            ? string.Create(CultureInfo.InvariantCulture, $"memory: {MaxSandboxMemoryBytes / (1024 * 1024)} MiB for the whole sandbox ({by})")
            : "memory: per process only (no writable cgroup)");

    private static long HostMemoryBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException) { return 16L * 1024 * 1024 * 1024; }
    }

    internal void Validate()
    {
        if (MaxProcesses < 16) throw new ArgumentOutOfRangeException(nameof(MaxProcesses), MaxProcesses, "the sandbox needs at least 16 processes");
        if (MaxMemoryBytes < 64L * 1024 * 1024) throw new ArgumentOutOfRangeException(nameof(MaxMemoryBytes), MaxMemoryBytes, "at least 64 MiB");
        if (MaxSandboxMemoryBytes < 64L * 1024 * 1024) throw new ArgumentOutOfRangeException(nameof(MaxSandboxMemoryBytes), MaxSandboxMemoryBytes, "at least 64 MiB");
        if (MaxFileBytes < 1024 * 1024) throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), MaxFileBytes, "at least 1 MiB");
        if (MaxCpuSeconds < 1) throw new ArgumentOutOfRangeException(nameof(MaxCpuSeconds), MaxCpuSeconds, "at least 1 s");
    }

    /// <summary>
    /// Which limit ended a command, from how it ended: by signal for CPU time (SIGXCPU, or the SIGKILL at the hard limit
    /// after it) and file size (SIGXFSZ), which only these limits send; from the error the failing tool printed for
    /// processes (EAGAIN) and memory (ENOMEM), which the kernel reports only to the process itself. A SIGKILL is the
    /// sandbox-wide bound when the session's cgroup counted an OOM kill (<see cref="SandboxSession.SandboxOomKills"/>).
    /// </summary>
    public static SandboxLimit Classify(int exitCode, string standardError, long sandboxOomKills = 0)
    {
        const int SigXcpu = 24, SigXfsz = 25, SigKill = 9;
        if (exitCode is 128 + SigKill && sandboxOomKills > 0) return SandboxLimit.SandboxMemory;
        if (exitCode is 128 + SigXcpu) return SandboxLimit.CpuTime;
        if (exitCode is 128 + SigXfsz) return SandboxLimit.FileSize;
        if (standardError.Contains("CPU time limit exceeded", StringComparison.Ordinal)) return SandboxLimit.CpuTime;
        if (standardError.Contains("File size limit exceeded", StringComparison.Ordinal)) return SandboxLimit.FileSize;
        if (exitCode == 0) return SandboxLimit.None;
        if (standardError.Contains("Resource temporarily unavailable", StringComparison.Ordinal)
            || standardError.Contains("Cannot fork", StringComparison.Ordinal)) return SandboxLimit.Processes;
        if (standardError.Contains("Cannot allocate memory", StringComparison.Ordinal)
            || standardError.Contains("MemoryError", StringComparison.Ordinal)
            || standardError.Contains("out of memory", StringComparison.OrdinalIgnoreCase)) return SandboxLimit.Memory;
        return SandboxLimit.None;
    }
}
