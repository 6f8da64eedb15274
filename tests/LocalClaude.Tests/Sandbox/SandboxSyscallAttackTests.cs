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
        output.Should().MatchRegex(@"Seccomp:\s+2");
        output.Should().MatchRegex(@"Seccomp_filters:\s+[1-9]");
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
        Count(output, "ERR EPERM unshare").Should().Be(3);
        Count(output, "ERR EPERM clone").Should().Be(2);
        output.Should().Contain("ERR ENOSYS clone3");
        output.Should().Contain("OK clone");
        output.Should().Contain("OK threads 8"); // glibc's pthread_create falls back from clone3 to clone
    }

    [Fact]
    public async Task Mounts_old_and_new_api()
    {
        var output = await AttackAsync($"""
            attempt '{P} mount'
            attempt '{P} fsopen'
            """);
        output.Should().Contain("ERR EPERM mount");
        output.Should().Contain("ERR EPERM fsopen");
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
        output.Should().Contain("ERR EPERM keyctl");
        output.Should().Contain("ERR EPERM add_key");
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
        output.Should().Contain("ERR EPERM bpf");
        output.Should().Contain("ERR EPERM perf_event_open");
        output.Should().Contain("ERR EPERM userfaultfd");
        output.Should().Contain("ERR ENOSYS io_uring_setup");
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
        System.Text.RegularExpressions.Regex.Matches(output, "ERR EAFNOSUPPORT socket$", System.Text.RegularExpressions.RegexOptions.Multiline).Count.Should().Be(4);
        output.Should().Contain("ERR EAFNOSUPPORT socketpair");
        Count(output, "OK socket ").Should().Be(4);
        output.Should().Contain("OK socketpair");
        output.Should().Contain(fixture.ModelServer.Marker);
        output.Should().Contain("127.0.0.1");
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
        output.Should().Contain("ERR EPERM ptrace");
        output.Should().Contain("ERR EPERM personality");
        Count(output, "OK personality").Should().Be(2);
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
        output.Should().Contain("ERR ENOTTY tcgets");
        output.Should().NotContain("OK tiocsti");
    }

    private static int Count(string text, string what) => text.Split(what).Length - 1;
}
