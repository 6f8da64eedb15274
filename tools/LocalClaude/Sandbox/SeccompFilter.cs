using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LocalClaude.Sandbox;

/// <summary>What a rule tests in a syscall's argument (only its low 32 bits: the kernel reads these arguments as 32-bit ints).</summary>
internal abstract record ArgumentTest(int Argument);

/// <summary>Denied when the argument equals one of the values (ioctl requests).</summary>
internal sealed record DenyValues(int Argument, IReadOnlyList<NamedValue> Values) : ArgumentTest(Argument);

/// <summary>Denied unless the argument equals one of the values (socket families, personalities).</summary>
internal sealed record AllowValues(int Argument, IReadOnlyList<NamedValue> Values) : ArgumentTest(Argument);

/// <summary>Denied when the argument has any of the bits (clone's CLONE_NEW* flags).</summary>
internal sealed record DenyBits(int Argument, NamedValue Mask) : ArgumentTest(Argument);

/// <summary>A constant with its name; <see cref="AlsoArgument"/>/<see cref="AlsoValue"/>: allowed only if that argument has that value too.</summary>
internal sealed record NamedValue(string Name, uint Value, int? AlsoArgument = null, uint AlsoValue = 0);

/// <summary>One syscall the sandbox restricts: denied outright (no <see cref="Test"/>) or by its argument, with <see cref="Errno"/>.</summary>
internal sealed record SyscallRule(string Name, int Number, int Errno, ArgumentTest? Test = null, string Why = "other");

/// <summary>
/// The seccomp filter every sandboxed process runs under (bwrap <c>--seccomp FD</c>: a classic BPF program,
/// <c>struct sock_filter[]</c>). Deny-list over the x86_64 syscall table: other architectures' calling conventions
/// (i386 via int 0x80, the x32 ABI) are killed outright, so no second syscall table can bypass it. The rules are the
/// data below, one place, with names.
/// </summary>
internal static class SeccompFilter
{
    public const uint AuditArchX86_64 = 0xC000003E;
    public const uint X32SyscallBit = 0x40000000;
    public const uint RetAllow = 0x7FFF0000;
    public const uint RetErrno = 0x00050000;
    public const uint RetKillProcess = 0x80000000;
    public const int Eperm = 1, Enosys = 38, Eafnosupport = 97;

    public const uint Tiocsti = 0x5412, Tioclinux = 0x541C, Tcxonc = 0x540A, Tiocspgrp = 0x5410, Tiocswinsz = 0x5414, Tiocexcl = 0x540C;
    public const uint AfUnix = 1, AfInet = 2, AfInet6 = 10, AfNetlink = 16, NetlinkRoute = 0;
    public const uint CloneNewFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

    /// <summary>seccomp_data: nr at 0, arch at 4, args[i] at 16 + 8 i (little-endian: the low word first).</summary>
    public static int ArgumentLowOffset(int argument) => 16 + 8 * argument;

    public static readonly IReadOnlyList<SyscallRule> Rules =
    [
        // The shared terminal (interactive launch): keystrokes pushed into the caller's input queue (CVE-2017-5226)
        // or console selection/paste (CVE-2023-28100). Low 32 bits only, as the kernel compares them (CVE-2023-28101 class).
        // Also what would stop or take over the shared terminal after the sandbox ends: output suspended (TCXONC TCOOFF
        // blocked the launcher's next write, so its clean-up never ran), the foreground group, the window size, and
        // exclusive mode (TIOCEXCL stayed set on the user's terminal after the launch: a third outside review).
        new("ioctl", 16, Eperm, new DenyValues(1, [
            new("TIOCSTI", Tiocsti), new("TIOCLINUX", Tioclinux), new("TCXONC", Tcxonc), new("TIOCSPGRP", Tiocspgrp),
            new("TIOCSWINSZ", Tiocswinsz), new("TIOCEXCL", Tiocexcl)]), "TIOCSTI/TIOCLINUX and terminal takeover"),
        // Only the families a client needs; netlink only for NETLINK_ROUTE (getifaddrs, glibc's getaddrinfo address check).
        new("socket", 41, Eafnosupport, new AllowValues(0, [
            new("AF_UNIX", AfUnix), new("AF_INET", AfInet), new("AF_INET6", AfInet6),
            new("AF_NETLINK/NETLINK_ROUTE", AfNetlink, AlsoArgument: 2, AlsoValue: NetlinkRoute)]), "sockets but unix/inet/inet6/route netlink"),
        new("socketpair", 53, Eafnosupport, new AllowValues(0, [new("AF_UNIX", AfUnix)]), "sockets but unix/inet/inet6/route netlink"),
        // New namespaces (a way back to capabilities); clone3 passes its flags in memory, which BPF cannot read: ENOSYS makes glibc fall back to clone.
        new("clone", 56, Eperm, new DenyBits(0, new("CLONE_NEW*", CloneNewFlags)), "new namespaces"),
        new("clone3", 435, Enosys, Why: "new namespaces"),
        new("unshare", 272, Eperm, Why: "new namespaces"),
        new("setns", 308, Eperm, Why: "new namespaces"),
        // Mounts, old API and new.
        new("mount", 165, Eperm, Why: "mounts"),
        new("umount2", 166, Eperm, Why: "mounts"),
        new("pivot_root", 155, Eperm, Why: "mounts"),
        new("chroot", 161, Eperm, Why: "mounts"),
        new("open_tree", 428, Eperm, Why: "mounts"),
        new("move_mount", 429, Eperm, Why: "mounts"),
        new("fsopen", 430, Eperm, Why: "mounts"),
        new("fsconfig", 431, Eperm, Why: "mounts"),
        new("fsmount", 432, Eperm, Why: "mounts"),
        new("fspick", 433, Eperm, Why: "mounts"),
        new("mount_setattr", 442, Eperm, Why: "mounts"),
        new("open_tree_attr", 467, Eperm, Why: "mounts"),
        // Kernel keyrings are not namespaced.
        new("add_key", 248, Eperm, Why: "keyrings"),
        new("request_key", 249, Eperm, Why: "keyrings"),
        new("keyctl", 250, Eperm, Why: "keyrings"),
        // Large kernel attack surface nothing inside needs; io_uring gets ENOSYS so runtimes fall back to epoll/threads.
        new("bpf", 321, Eperm, Why: "bpf/perf/userfaultfd/io_uring"),
        new("perf_event_open", 298, Eperm, Why: "bpf/perf/userfaultfd/io_uring"),
        new("userfaultfd", 323, Eperm, Why: "bpf/perf/userfaultfd/io_uring"),
        new("io_uring_setup", 425, Enosys, Why: "bpf/perf/userfaultfd/io_uring"),
        new("io_uring_enter", 426, Enosys, Why: "bpf/perf/userfaultfd/io_uring"),
        new("io_uring_register", 427, Enosys, Why: "bpf/perf/userfaultfd/io_uring"),
        // Other processes' memory: no debugger inside (strace/gdb do not work there).
        new("ptrace", 101, Eperm, Why: "ptrace"),
        new("process_vm_readv", 310, Eperm, Why: "ptrace"),
        new("process_vm_writev", 311, Eperm, Why: "ptrace"),
        new("pidfd_getfd", 438, Eperm, Why: "ptrace"),
        // Only the plain Linux personalities (and the query): ADDR_NO_RANDOMIZE and friends would switch off ASLR.
        new("personality", 135, Eperm, new AllowValues(0, [new("PER_LINUX", 0), new("PER_LINUX32", 8), new("query", 0xFFFFFFFF)]), "ASLR off"),
        // Host administration: needs capabilities the sandbox lacks; denied here as a second layer.
        new("kexec_load", 246, Eperm, Why: "host administration"),
        new("kexec_file_load", 320, Eperm, Why: "host administration"),
        new("init_module", 175, Eperm, Why: "host administration"),
        new("finit_module", 313, Eperm, Why: "host administration"),
        new("delete_module", 176, Eperm, Why: "host administration"),
        new("reboot", 169, Eperm, Why: "host administration"),
        new("swapon", 167, Eperm, Why: "host administration"),
        new("swapoff", 168, Eperm, Why: "host administration"),
        new("syslog", 103, Eperm, Why: "host administration"),
        new("acct", 163, Eperm, Why: "host administration"),
        new("quotactl", 179, Eperm, Why: "host administration"),
        new("quotactl_fd", 443, Eperm, Why: "host administration"),
        new("name_to_handle_at", 303, Eperm, Why: "host administration"),
        new("open_by_handle_at", 304, Eperm, Why: "host administration"),
        new("iopl", 172, Eperm, Why: "host administration"),
        new("ioperm", 173, Eperm, Why: "host administration"),
        new("uselib", 134, Eperm, Why: "host administration"),
        new("_sysctl", 156, Eperm, Why: "host administration"),
        new("lookup_dcookie", 212, Eperm, Why: "host administration"),
        new("vhangup", 153, Eperm, Why: "host administration"),
    ];

    /// <summary>What the filter denies, in a few words (the launch banner).</summary>
    public static string Describe() => "seccomp denies " + string.Join(", ", Rules.Select(r => r.Why).Distinct());

    /// <summary>Whether this host's syscall table is the one the rules are written for.</summary>
    public static bool SupportedHost => RuntimeInformation.OSArchitecture == Architecture.X64;

    /// <summary>The program as bwrap reads it from <c>--seccomp FD</c>: 8 bytes per instruction, host (little-endian) order.</summary>
    public static byte[] Compile() => Encode(Assemble(Rules));

    public static byte[] Encode(IReadOnlyList<BpfInstruction> program)
    {
        var bytes = new byte[program.Count * 8];
        for (var i = 0; i < program.Count; i++)
        {
            var span = bytes.AsSpan(i * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(span, program[i].Code);
            span[2] = program[i].JumpTrue;
            span[3] = program[i].JumpFalse;
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], program[i].K);
        }
        return bytes;
    }

    /// <summary>
    /// Arch check, x32 check, then one block per rule: "nr == N ? (its test, ending in a return) : next block", and
    /// ALLOW at the end. Every jump is local to its block, so the 8-bit jump offsets of classic BPF never overflow.
    /// </summary>
    public static IReadOnlyList<BpfInstruction> Assemble(IReadOnlyList<SyscallRule> rules)
    {
        if (rules.Select(r => r.Number).Distinct().Count() != rules.Count)
            throw new ArgumentException("two seccomp rules name the same syscall");
        var p = new List<BpfInstruction>
        {
            BpfInstruction.LoadWord(4),
            BpfInstruction.JumpIfEqual(AuditArchX86_64, 1, 0),
            BpfInstruction.Return(RetKillProcess),
            BpfInstruction.LoadWord(0),
            BpfInstruction.JumpIfGreaterOrEqual(X32SyscallBit, 0, 1),
            BpfInstruction.Return(RetKillProcess),
        };
        foreach (var rule in rules)
        {
            var deny = BpfInstruction.Return(RetErrno | (uint)rule.Errno);
            var body = rule.Test switch
            {
                null => [deny],
                DenyValues d => DenyValuesBlock(d, deny),
                AllowValues a => AllowValuesBlock(a, deny),
                DenyBits b => [
                    BpfInstruction.LoadWord(ArgumentLowOffset(b.Argument)),
                    BpfInstruction.JumpIfAnyBit(b.Mask.Value, 1, 0),
                    BpfInstruction.Return(RetAllow),
                    deny],
                _ => throw new ArgumentException($"unknown argument test {rule.Test}"),
            };
            p.Add(BpfInstruction.JumpIfEqual((uint)rule.Number, 0, checked((byte)body.Count)));
            p.AddRange(body);
        }
        p.Add(BpfInstruction.Return(RetAllow));
        if (p.Count > 4096) throw new InvalidOperationException("the seccomp program is longer than the kernel's 4096 instructions");
        return p;
    }

    // ld arg; jeq v1 → deny; jeq v2 → deny; …; ret ALLOW; ret deny
    private static List<BpfInstruction> DenyValuesBlock(DenyValues test, BpfInstruction deny)
    {
        var block = new List<BpfInstruction> { BpfInstruction.LoadWord(ArgumentLowOffset(test.Argument)) };
        for (var i = 0; i < test.Values.Count; i++)
            block.Add(BpfInstruction.JumpIfEqual(test.Values[i].Value, checked((byte)(test.Values.Count - i)), 0));
        block.Add(BpfInstruction.Return(RetAllow));
        block.Add(deny);
        return block;
    }

    // Per value: ld arg; jeq v ? (no extra condition: ret ALLOW | ld also; jeq w → ALLOW) : next value; …; ret deny.
    private static List<BpfInstruction> AllowValuesBlock(AllowValues test, BpfInstruction deny)
    {
        var block = new List<BpfInstruction>();
        foreach (var value in test.Values)
        {
            block.Add(BpfInstruction.LoadWord(ArgumentLowOffset(test.Argument)));
            if (value.AlsoArgument is not { } also)
            {
                block.Add(BpfInstruction.JumpIfEqual(value.Value, 0, 1));
                block.Add(BpfInstruction.Return(RetAllow));
                continue;
            }
            block.Add(BpfInstruction.JumpIfEqual(value.Value, 0, 3));
            block.Add(BpfInstruction.LoadWord(ArgumentLowOffset(also)));
            block.Add(BpfInstruction.JumpIfEqual(value.AlsoValue, 0, 1));
            block.Add(BpfInstruction.Return(RetAllow));
        }
        block.Add(deny);
        return block;
    }
}

/// <summary>One classic BPF instruction (<c>struct sock_filter</c>): only the few forms the filter uses.</summary>
internal readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K)
{
    public const ushort LdWAbs = 0x20, JmpJa = 0x05, JmpJeqK = 0x15, JmpJgeK = 0x35, JmpJsetK = 0x45, RetK = 0x06;

    public static BpfInstruction LoadWord(int offset) => new(LdWAbs, 0, 0, (uint)offset);
    public static BpfInstruction JumpIfEqual(uint k, byte jumpTrue, byte jumpFalse) => new(JmpJeqK, jumpTrue, jumpFalse, k);
    public static BpfInstruction JumpIfGreaterOrEqual(uint k, byte jumpTrue, byte jumpFalse) => new(JmpJgeK, jumpTrue, jumpFalse, k);
    public static BpfInstruction JumpIfAnyBit(uint k, byte jumpTrue, byte jumpFalse) => new(JmpJsetK, jumpTrue, jumpFalse, k);
    public static BpfInstruction Return(uint k) => new(RetK, 0, 0, k);
}
