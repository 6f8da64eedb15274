using System.Text;
using LocalClaude.Infrastructure;
using LocalClaude.Launcher;
using LocalClaude.Tests.Server;

namespace LocalClaude.Tests.Launcher;

/// <summary>A launch marks the server it starts as its own through that server's environment, not through ours.</summary>
public sealed class ModelServerLeaseTests
{
    [Fact]
    public async Task A_started_server_carries_the_owner_mark_and_this_process_does_not()
    {
        var ct = TestContext.Current.CancellationToken;
        var launch = ServerTestProfiles.RunnableCpuLaunch();
        var before = Environment.GetEnvironmentVariable(LlamaServerDiscovery.OwnerVariable);

        await using var lease = await ModelServerLease.AcquireAsync(launch, reuse: false, ct);

        lease.StartedHere.Should().BeTrue();
        var mark = Encoding.ASCII.GetBytes($"{LlamaServerDiscovery.OwnerVariable}=launch:{Environment.ProcessId}\0");
        ProcessTable.EnvironmentContains(lease.Pid, mark).Should().BeTrue($"llama-server (pid {lease.Pid}) lacks the owner mark in /proc/{lease.Pid}/environ");
        Environment.GetEnvironmentVariable(LlamaServerDiscovery.OwnerVariable).Should().Be(before);
        // Another launch must not reuse it: it vanishes with this one (servers of other sessions may be candidates).
        LlamaServerDiscovery.Candidates(launch).Select(c => c.Pid).Should().NotContain(lease.Pid);
    }
}
