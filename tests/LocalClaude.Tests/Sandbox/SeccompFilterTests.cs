using System.Buffers.Binary;
using LocalClaude.Sandbox;
using static LocalClaude.Sandbox.SeccompFilter;

namespace LocalClaude.Tests.Sandbox;

/// <summary>
/// The compiled filter, run by a classic-BPF interpreter written here from the kernel's rules (bytes decoded the way
/// the kernel reads them, every jump checked to stay inside the program, no falling off the end).
/// </summary>
public sealed class SeccompFilterTests
{
    private const uint AuditArchI386 = 0x40000003;
    private static readonly byte[] Program = Compile();

    private static uint Run(int nr, params ulong[] args) => RunArch(AuditArchX86_64, (uint)nr, args);

    private static uint RunArch(uint arch, uint nr, params ulong[] args)
    {
        var data = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(data, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), arch);
        for (var i = 0; i < args.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16 + 8 * i), args[i]);

        var count = Program.Length / 8;
        (Program.Length % 8).Should().Be(0);
        uint a = 0;
        for (var pc = 0; ;)
        {
            (pc < count).Should().BeTrue($"the program runs off its end at {pc}");
            var ins = Program.AsSpan(pc * 8, 8);
            var code = BinaryPrimitives.ReadUInt16LittleEndian(ins);
            byte jt = ins[2], jf = ins[3];
            var k = BinaryPrimitives.ReadUInt32LittleEndian(ins[4..]);
            pc++;
            switch (code)
            {
                case BpfInstruction.LdWAbs:
                    (k % 4 == 0 && k + 4 <= 64).Should().BeTrue($"load outside seccomp_data: {k}");
                    a = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)k));
                    break;
                case BpfInstruction.JmpJeqK: pc += a == k ? jt : jf; break;
                case BpfInstruction.JmpJgeK: pc += a >= k ? jt : jf; break;
                case BpfInstruction.JmpJsetK: pc += (a & k) != 0 ? jt : jf; break;
                case BpfInstruction.RetK: return k;
                default: Assert.Fail($"unexpected opcode {code:x}"); break;
            }
        }
    }

    private static uint Denied(int errno) => RetErrno | (uint)errno;

    [Fact]
    public void Every_rule_without_an_argument_test_is_denied_with_its_errno_and_common_syscalls_are_allowed()
    {
        var plain = Rules.Where(r => r.Test is null).ToArray();
        (plain.Length > 30).Should().BeTrue();
        foreach (var rule in plain) (Denied(rule.Errno) == Run(rule.Number)).Should().BeTrue(rule.Name);
        Run(425).Should().Be(Denied(Enosys)); // io_uring_setup: ENOSYS, so runtimes fall back
        Run(435).Should().Be(Denied(Enosys)); // clone3: ENOSYS, so glibc falls back to clone
        // read, write, openat, execve, mmap, wait4, exit_group, seccomp (adding filters only narrows), landlock_create_ruleset
        foreach (var nr in new[] { 0, 1, 257, 59, 9, 61, 231, 317, 444 }) Run(nr).Should().Be(RetAllow);
    }

    [Fact]
    public void Tiocsti_and_tioclinux_are_denied_whatever_the_high_bits_of_the_request()
    {
        foreach (var request in new ulong[] { Tiocsti, Tioclinux, 0x1_0000_0000UL | Tiocsti, 0xFFFF_FFFF_0000_0000UL | Tiocsti, 0x8000_0000_0000_0000UL | Tioclinux })
            Run(16, 0, request).Should().Be(Denied(Eperm));
        // TCGETS, TIOCGWINSZ, TCSETS, FIONREAD: allowed; a high-bit request that is not TIOCSTI in its low word too.
        foreach (var request in new ulong[] { 0x5401, 0x5413, 0x5402, 0x541B, 0x1_0000_5401UL })
            Run(16, 0, request).Should().Be(RetAllow);
    }

    [Fact]
    public void Terminal_takeover_ioctls_are_denied_and_raw_mode_still_works()
    {
        // Found by an outside review: TCXONC TCOOFF from inside stopped the terminal's output, so the launcher's next
        // write blocked before its clean-up; TIOCSPGRP and TIOCSWINSZ changed the terminal's state after the launch.
        // A third one: TIOCEXCL left the user's terminal in exclusive mode after the launch.
        foreach (var request in new ulong[] { Tcxonc, Tiocspgrp, Tiocswinsz, Tiocexcl, 0xFFFF_FFFF_0000_0000UL | Tcxonc })
            Run(16, 0, request).Should().Be(Denied(Eperm));
        // What a TUI needs: TCGETS, TCSETS/TCSETSW (raw mode), TIOCGWINSZ, TIOCGPGRP.
        foreach (var request in new ulong[] { 0x5401, 0x5402, 0x5403, 0x5413, 0x540F })
            Run(16, 0, request).Should().Be(RetAllow);
    }

    [Fact]
    public void Only_unix_inet_inet6_and_route_netlink_sockets()
    {
        const ulong stream = 1, raw = 3;
        Run(41, AfUnix, stream, 0).Should().Be(RetAllow);
        Run(41, AfInet, stream, 0).Should().Be(RetAllow);
        Run(41, AfInet6, 2, 0).Should().Be(RetAllow);
        Run(41, AfNetlink, raw, 0).Should().Be(RetAllow);
        Run(41, 0xFFFF_FFFF_0000_0000UL | AfInet, stream, 0).Should().Be(RetAllow); // the kernel reads an int
        Run(41, AfNetlink, raw, 15).Should().Be(Denied(Eafnosupport)); // NETLINK_KOBJECT_UEVENT
        Run(41, AfNetlink, raw, 9).Should().Be(Denied(Eafnosupport)); // NETLINK_AUDIT
        foreach (var family in new ulong[] { 0, 3, 4, 5, 17, 38, 40, 44, 0x1_0000_0000UL | 40 }) // AX25, IPX, APPLETALK, PACKET, ALG, VSOCK, XDP
            Run(41, family, raw, 0).Should().Be(Denied(Eafnosupport));
        Run(53, AfUnix, stream, 0).Should().Be(RetAllow);
        Run(53, AfInet, stream, 0).Should().Be(Denied(Eafnosupport));
    }

    [Fact]
    public void Clone_is_denied_only_with_a_new_namespace_flag()
    {
        const ulong sigchld = 17, threadFlags = 0x3D0F00; // glibc pthread_create: VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT/CHILD_SETTID
        Run(56, sigchld | 0x01200000).Should().Be(RetAllow); // fork(): CHILD_SETTID|CHILD_CLEARTID
        Run(56, threadFlags).Should().Be(RetAllow);
        foreach (var flag in new ulong[] { 0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000 })
            Run(56, sigchld | flag).Should().Be(Denied(Eperm));
    }

    [Fact]
    public void Personality_allows_only_plain_linux_and_the_query()
    {
        foreach (var persona in new ulong[] { 0, 8, 0xFFFFFFFF }) Run(135, persona).Should().Be(RetAllow);
        foreach (var persona in new ulong[] { 0x0040000, 0x0200000, 0x0400000 | 8 }) // ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ADDR_LIMIT_3GB
            Run(135, persona).Should().Be(Denied(Eperm));
    }

    [Fact]
    public void Other_architectures_and_the_x32_abi_are_killed()
    {
        RunArch(AuditArchI386, 1).Should().Be(RetKillProcess); // i386 exit, through int 0x80
        RunArch(0xC00000B7, 0).Should().Be(RetKillProcess); // aarch64
        RunArch(AuditArchX86_64, X32SyscallBit | 16, 0, Tiocsti).Should().Be(RetKillProcess);
        RunArch(AuditArchX86_64, X32SyscallBit | 272).Should().Be(RetKillProcess);
    }

    [Fact]
    public void The_program_is_encoded_as_the_kernel_reads_it_and_rules_are_unique()
    {
        // First instruction: BPF_LD|BPF_W|BPF_ABS, k = offsetof(seccomp_data, arch).
        Program[..8].Should().Equal(new byte[] { 0x20, 0, 0, 0, 4, 0, 0, 0 });
        Rules.Select(r => r.Number).Distinct().Count().Should().Be(Rules.Count);
        Rules.Select(r => r.Name).Distinct().Count().Should().Be(Rules.Count);
        (Program.Length / 8 < 4096).Should().BeTrue();
        FluentActions.Invoking(() => Assemble([new SyscallRule("a", 1, Eperm), new SyscallRule("b", 1, Eperm)])).Should().ThrowExactly<ArgumentException>();
    }
}

/// <summary>How a sandboxed command's end is classified, and which limits a spec may ask for.</summary>
public sealed class SandboxLimitsTests
{
    [Theory]
    [InlineData(152, "", SandboxLimit.CpuTime)]
    [InlineData(1, "bash: line 1:    12 CPU time limit exceeded (core dumped) ./spin", SandboxLimit.CpuTime)]
    [InlineData(153, "", SandboxLimit.FileSize)]
    [InlineData(1, "fork: Resource temporarily unavailable", SandboxLimit.Processes)]
    [InlineData(2, "/bin/sh: 1: Cannot fork", SandboxLimit.Processes)]
    [InlineData(1, "malloc: Cannot allocate memory", SandboxLimit.Memory)]
    [InlineData(1, "MemoryError", SandboxLimit.Memory)]
    [InlineData(0, "fork: Resource temporarily unavailable", SandboxLimit.None)]
    [InlineData(1, "No such file or directory", SandboxLimit.None)]
    [InlineData(137, "", SandboxLimit.None)]
    public void Classify_names_the_limit_from_the_signal_or_the_error(int exitCode, string standardError, SandboxLimit expected) =>
        SandboxLimits.Classify(exitCode, standardError).Should().Be(expected);

    [Fact]
    public void Limits_too_small_to_run_anything_are_refused()
    {
        SandboxLimits.Default.Validate();
        FluentActions.Invoking(() => (SandboxLimits.Default with { MaxProcesses = 2 }).Validate()).Should().ThrowExactly<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => (SandboxLimits.Default with { MaxMemoryBytes = 1024 }).Validate()).Should().ThrowExactly<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => (SandboxLimits.Default with { MaxFileBytes = 0 }).Validate()).Should().ThrowExactly<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => (SandboxLimits.Default with { MaxCpuSeconds = 0 }).Validate()).Should().ThrowExactly<ArgumentOutOfRangeException>();
        SandboxLimits.Default.Describe().Should().Contain("2048 processes/threads");
    }
}
