using LocalClaude.Sandbox;

namespace LocalClaude.Tests.Sandbox;

/// <summary>
/// Raw syscalls from inside the shared sandbox (through <see cref="SyscallProbe"/>), against the seccomp filter. Each
/// attack checks the errno the filter gives where the kernel alone would answer otherwise (as root on the host these
/// calls succeed), and the allowed neighbour of each attack still works.
/// </summary>
[Collection(SandboxAttackCollection.Name)]
public sealed class SandboxSyscallAttackTests(SandboxAttackFixture fixture, ITestOutputHelper output)
{
    private readonly AttackRunner _runner = new(fixture, output);
    private const string P = SandboxSpec.DefaultWorkInside + "/" + SyscallProbe.FileName;

    private async Task<string> AttackAsync(string script)
    {
        fixture.RequireSession();
        await SyscallProbe.InstallAsync(fixture.Layout.Work);
        return (await _runner.RunAsync(script)).Output;
    }

    [Fact]
    public async Task Seccomp_filter_is_active_in_every_process()
    {
        var output = await AttackAsync("""
            grep Seccomp: /proc/self/status
            sh -c 'grep -E "^Seccomp_filters:" /proc/self/status'
            echo "PID1: $(grep Seccomp: /proc/1/status 2>&1)"
            """);
        Assert.Matches(@"Seccomp:\s+2", output);
        Assert.Matches(@"Seccomp_filters:\s+[1-9]", output);
    }

    [Fact]
    public async Task New_namespaces_by_unshare_clone_and_clone3()
    {
        var output = await AttackAsync($"""
            attempt '{P} unshare 0x10000000'
            attempt '{P} unshare 0x00020000'
            attempt '{P} unshare 0x40000000'
            attempt '{P} clone 0x10000000'
            attempt '{P} clone 0x20000000'
            attempt '{P} clone3'
            {P} clone 0
            {P} threads
            """);
        // Without the filter unshare/clone(CLONE_NEWUSER) fail with ENOSPC (bwrap's --disable-userns), not EPERM.
        Assert.Equal(3, Count(output, "ERR EPERM unshare"));
        Assert.Equal(2, Count(output, "ERR EPERM clone"));
        Assert.Contains("ERR ENOSYS clone3", output);
        Assert.Contains("OK clone", output);
        Assert.Contains("OK threads 8", output); // glibc's pthread_create falls back from clone3 to clone
    }

    [Fact]
    public async Task Mounts_old_and_new_api()
    {
        var output = await AttackAsync($"""
            attempt '{P} mount'
            attempt '{P} fsopen'
            """);
        Assert.Contains("ERR EPERM mount", output);
        Assert.Contains("ERR EPERM fsopen", output);
    }

    [Fact]
    public async Task Kernel_keyrings()
    {
        var output = await AttackAsync($"""
            attempt '{P} keyctl'
            attempt '{P} add_key'
            attempt 'keyctl show @s'
            """);
        // Any uid may use its session keyring: only the filter makes these fail.
        Assert.Contains("ERR EPERM keyctl", output);
        Assert.Contains("ERR EPERM add_key", output);
    }

    [Fact]
    public async Task Bpf_perf_events_userfaultfd_and_io_uring()
    {
        var output = await AttackAsync($"""
            attempt '{P} bpf'
            attempt '{P} perf_event_open'
            attempt '{P} userfaultfd'
            attempt '{P} io_uring_setup'
            """);
        // Unfiltered, these invalid calls would be EINVAL/EFAULT: EPERM and ENOSYS are the filter's answers.
        Assert.Contains("ERR EPERM bpf", output);
        Assert.Contains("ERR EPERM perf_event_open", output);
        Assert.Contains("ERR EPERM userfaultfd", output);
        Assert.Contains("ERR ENOSYS io_uring_setup", output);
    }

    [Fact]
    public async Task Socket_families_other_than_unix_inet_inet6_and_route_netlink()
    {
        var output = await AttackAsync($"""
            attempt '{P} socket 40 1 0'
            attempt '{P} socket 17 3 0'
            attempt '{P} socket 16 3 15'
            attempt '{P} socket 38 5 0'
            attempt '{P} socketpair 2'
            attempt 'python3 -c "import socket; socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)"'
            {P} socket 1 1 0
            {P} socket 2 1 0
            {P} socket 10 2 0
            {P} socket 16 3 0
            {P} socketpair 1
            curl -sS -m 5 -d x http://127.0.0.1:{fixture.ModelServer!.Port}/v1/messages; echo
            getent hosts localhost
            """);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(output, "ERR EAFNOSUPPORT socket$", System.Text.RegularExpressions.RegexOptions.Multiline).Count);
        Assert.Contains("ERR EAFNOSUPPORT socketpair", output);
        Assert.Equal(4, Count(output, "OK socket "));
        Assert.Contains("OK socketpair", output);
        Assert.Contains(fixture.ModelServer.Marker, output);
        Assert.Contains("127.0.0.1", output);
    }

    [Fact]
    public async Task Ptrace_and_aslr_switched_off_by_personality()
    {
        var output = await AttackAsync($"""
            attempt '{P} ptrace'
            attempt '{P} personality 0x40000'
            attempt 'setarch -R true'
            {P} personality 0xffffffff
            {P} personality 0
            """);
        // PTRACE_TRACEME and ADDR_NO_RANDOMIZE need no privilege: only the filter refuses them.
        Assert.Contains("ERR EPERM ptrace", output);
        Assert.Contains("ERR EPERM personality", output);
        Assert.Equal(2, Count(output, "OK personality"));
    }

    [Fact]
    public async Task Terminal_ioctls_without_a_terminal_and_the_allowed_ones()
    {
        var output = await AttackAsync($"""
            attempt '{P} tiocsti - x'
            attempt '{P} tiocsti /dev/tty x'
            attempt '{P} tioclinux -'
            {P} tcgets < /dev/null
            """);
        // No terminal in a headless sandbox: TCGETS on /dev/null is the kernel's ENOTTY (the ioctl got through the filter).
        Assert.Contains("ERR ENOTTY tcgets", output);
        Assert.DoesNotContain("OK tiocsti", output);
    }

    private static int Count(string text, string what) => text.Split(what).Length - 1;
}
