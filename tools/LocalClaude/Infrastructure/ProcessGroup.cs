using System.Runtime.InteropServices;

namespace LocalClaude.Infrastructure;

/// <summary>
/// A process group seen through /proc: every process whose pgid is <see cref="Id"/>. A guarded child runs in a group
/// of its own, so stopping it can reach orphans the tree no longer shows (a grandchild whose parent died first).
/// </summary>
public sealed record ProcessGroup(int Id)
{
    private const int SigKill = 9;

    /// <summary>The pids of the group's members that are still alive (zombies, already dead, are not counted).</summary>
    public IReadOnlyList<int> Members() =>
        ProcessTable.Snapshot().Where(p => p.GroupId == Id && !p.Zombie).Select(p => p.Pid).ToArray();

    /// <summary>SIGKILL to every member, then waits until none is alive. Returns the pids still alive at <paramref name="timeout"/> (none, normally).</summary>
    public async Task<IReadOnlyList<int>> KillAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (Id <= 1) throw new InvalidOperationException($"refusing to signal process group {Id}");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var alive = Members();
            if (alive.Count == 0 || DateTime.UtcNow > deadline) return alive;
            _ = Kill(-Id, SigKill);
            await Task.Delay(20, cancellationToken);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
