using System.Security.Cryptography;
using LocalClaude.Sandbox;

namespace LocalClaude.Tests.Sandbox;

/// <summary>
/// Escape attempts from inside the sandbox, one test per attack. Each attack really tries (the script reports every
/// attempt and why it failed), and each test checks the host side: see <see cref="AttackRunner"/> for the checks every
/// attack gets, and the asserts below for the ones specific to it.
/// </summary>
[Collection(SandboxAttackCollection.Name)]
public sealed class SandboxAttackTests(SandboxAttackFixture fixture, ITestOutputHelper output)
{
    private readonly AttackRunner _runner = new(fixture, output);
    private string T => _runner.Tag;
    private HostLayout L => fixture.Layout;
    private string W => SandboxSpec.DefaultWorkInside;

    [Fact]
    public async Task Write_outside_the_work_dir_by_absolute_path()
    {
        fixture.RequireSession();
        var targets = AttackRunner.HostFolders.Where(f => f is not "/tmp" and not "/dev/shm")
            .Concat([L.Outside, L.Project, L.Root, L.FakeHostHome]);
        var outcome = await _runner.RunAsync(string.Join('\n', targets.Select(d => $"attempt 'echo x > {d.TrimEnd('/')}/pwned-{T}'")));

        foreach (var dir in new[] { L.Outside, L.Project, L.Root, L.FakeHostHome })
            File.Exists(Path.Combine(dir, "pwned-" + T)).Should().BeFalse();
        outcome.Output.Should().Contain("Read-only file system");
    }

    [Fact]
    public async Task Dot_dot_traversal_out_of_the_work_dir()
    {
        fixture.RequireSession();
        await _runner.RunAsync($"""
            cd {W}
            attempt 'echo x > ../pwned-{T}'
            attempt 'echo x > ../../pwned-{T}'
            attempt 'echo x > ../../../../../../../../pwned-{T}'
            attempt 'mkdir ../pwned-dir-{T}'
            attempt 'cd .. && echo x > pwned-{T}'
            attempt 'echo x > ../../outside/pwned-{T}'
            attempt 'cp /etc/hosts ../../outside/victim.txt'
            attempt 'cat ../../outside/victim.txt'
            """);

        File.Exists(Path.Combine(L.Project, "pwned-" + T)).Should().BeFalse();
        Directory.Exists(Path.Combine(L.Project, "pwned-dir-" + T)).Should().BeFalse();
        File.Exists(Path.Combine(L.Outside, "pwned-" + T)).Should().BeFalse();
        (await File.ReadAllTextAsync(L.Victim, TestContext.Current.CancellationToken)).Should().StartWith("victim ");
    }

    [Fact]
    public async Task Symlink_in_the_work_dir_pointing_outside_then_write_through_it()
    {
        fixture.RequireSession();
        // One link the sandbox makes itself, and one a fixture could bring along (planted from the host).
        File.CreateSymbolicLink(Path.Combine(L.Work, "planted-" + T), L.Outside);
        var outcome = await _runner.RunAsync($"""
            cd {W}
            attempt 'ln -s {L.Victim} link-file-{T} && echo PWNED >> link-file-{T}'
            attempt 'ln -s {L.Outside} link-dir-{T} && echo x > link-dir-{T}/pwned-{T}'
            attempt 'ln -s .. link-up-{T} && echo x > link-up-{T}/pwned-{T}'
            attempt 'ln -s / link-root-{T} && echo x > link-root-{T}/usr/pwned-{T}'
            attempt 'echo x > planted-{T}/pwned-{T}'
            attempt 'cat planted-{T}/victim.txt'
            attempt 'ls planted-{T}/'
            """);

        File.Exists(Path.Combine(L.Outside, "pwned-" + T)).Should().BeFalse();
        (await File.ReadAllTextAsync(L.Victim, TestContext.Current.CancellationToken)).Should().NotContain("PWNED");
        outcome.Output.Should().Contain("No such file or directory");
    }

    [Fact]
    public async Task Hardlink_to_a_file_outside()
    {
        fixture.RequireSession();
        var hostsBefore = Hash("/etc/hosts");
        var suLinksBefore = await LinkCountAsync("/usr/bin/su");
        await _runner.RunAsync($"""
            cd {W}
            attempt 'ln {L.Victim} hl-outside-{T}'
            attempt 'ln /etc/hosts hl-hosts-{T} && echo PWNED >> hl-hosts-{T}'
            attempt 'ln /usr/bin/su hl-su-{T}'
            attempt 'ln /run/localclaude/init.sh hl-init-{T} && echo PWNED >> hl-init-{T}'
            attempt 'ln {SandboxAttackFixture.ReadOnlyDataInside}/file.txt hl-ro-{T} && echo PWNED >> hl-ro-{T}'
            attempt 'ln $HOME/../../usr/bin/passwd hl-passwd-{T}'
            """);

        Hash("/etc/hosts").Should().Be(hostsBefore);
        (await LinkCountAsync("/usr/bin/su")).Should().Be(suLinksBefore);
        foreach (var file in Directory.EnumerateFiles(L.Work, "hl-*"))
            (await LinkCountAsync(file)).Should().Be(1);
    }

    [Fact]
    public async Task Write_through_proc_self_root()
    {
        fixture.RequireSession();
        await _runner.RunAsync($"""
            attempt 'echo x > /proc/self/root/pwned-{T}'
            attempt 'echo x > /proc/self/root/usr/pwned-{T}'
            attempt 'echo x > /proc/self/root/etc/pwned-{T}'
            attempt 'echo x > /proc/self/root{L.Outside}/pwned-{T}'
            attempt 'echo x > /proc/self/cwd/../pwned-{T}'
            attempt 'echo PWNED >> /proc/self/root{L.Victim}'
            """);
        File.Exists(Path.Combine(L.Outside, "pwned-" + T)).Should().BeFalse();
    }

    [Fact]
    public async Task Write_through_proc_1_root()
    {
        fixture.RequireSession();
        var outcome = await _runner.RunAsync($"""
            attempt 'echo x > /proc/1/root/pwned-{T}'
            attempt 'echo x > /proc/1/root/usr/pwned-{T}'
            attempt 'echo x > /proc/1/root{L.Outside}/pwned-{T}'
            attempt 'echo x > /proc/1/cwd/../pwned-{T}'
            for p in /proc/[0-9]*; do attempt "echo x > $p/root{L.Outside}/pwned-{T}"; done
            echo "ROOT-OF-PID-1: $(ls /proc/1/root/ 2>&1 | tr '\n' ' ')"
            """);
        File.Exists(Path.Combine(L.Outside, "pwned-" + T)).Should().BeFalse();
        // Pid 1 inside is the sandbox's own init: its root is the sandbox root, not the host's.
        outcome.Output.Should().MatchRegex(@"ROOT-OF-PID-1: (bin dev etc home lib|.*Permission denied)");
    }

    [Fact]
    public async Task Remount_root_or_usr_read_write()
    {
        fixture.RequireSession();
        var outcome = await _runner.RunAsync($"""
            attempt 'mount -o remount,rw /'
            attempt 'mount -o remount,bind,rw /'
            attempt 'mount -o remount,rw /usr'
            attempt 'mount -o remount,bind,rw /usr'
            attempt 'mount -t tmpfs none /mnt'
            attempt 'mount --bind {W} /usr/local'
            attempt 'umount -l /usr'
            cat > /tmp/mount.py <<'PY'
            import ctypes, os, sys
            libc = ctypes.CDLL(None, use_errno=True)
            fstype = None if sys.argv[3] == "-" else sys.argv[3].encode()
            r = libc.mount(sys.argv[1].encode(), sys.argv[2].encode(), fstype, int(sys.argv[4]), None)
            print("MOUNT-SYSCALL: " + os.strerror(ctypes.get_errno()))
            sys.exit(0 if r == 0 else 1)
            PY
            attempt 'python3 /tmp/mount.py none / - {MsRemount}'
            attempt 'python3 /tmp/mount.py none /usr - {MsRemount | MsBind}'
            attempt 'python3 /tmp/mount.py none /tmp tmpfs 0'
            attempt 'python3 /tmp/mount.py {W} /usr/local - {MsBind}'
            attempt 'echo x > /pwned-{T}'
            attempt 'echo x > /usr/pwned-{T}'
            """);
        // mount(8) gives up early for a non-root user; the direct mount(2) calls show the kernel refusing too.
        (outcome.Output.Split("MOUNT-SYSCALL: Operation not permitted").Length - 1).Should().Be(4);
    }

    [Fact]
    public async Task New_user_namespace_to_regain_capabilities()
    {
        fixture.RequireSession();
        var outcome = await _runner.RunAsync($"""
            attempt 'unshare -Ur true'
            attempt 'unshare -U true'
            attempt 'unshare -Urm sh -c "mount -o remount,bind,rw /usr && echo x > /usr/pwned-{T}"'
            attempt 'python3 -c "import ctypes,os,sys; libc=ctypes.CDLL(None, use_errno=True); r=libc.unshare(0x10000000); print(os.strerror(ctypes.get_errno())); sys.exit(r != 0)"'
            attempt 'bwrap --ro-bind / / --bind {W} /usr/local true'
            """);
        outcome.Output.Should().NotContain("uid=0(root)");
    }

    [Fact]
    public async Task Read_or_change_the_parent_projects_config()
    {
        fixture.RequireSession();
        var before = new[] { "CLAUDE.md", "AI_INSTRUCTIONS.md", ".claude/settings.json" }
            .ToDictionary(f => f, f => Hash(Path.Combine(L.Project, f)));
        var outcome = await _runner.RunAsync($"""
            cd {W}
            attempt 'cat ../.claude/settings.json'
            attempt 'cat ../CLAUDE.md'
            attempt 'cat ../AI_INSTRUCTIONS.md'
            attempt 'cat {L.Project}/CLAUDE.md'
            attempt 'cat {L.Project}/.claude/settings.json'
            attempt 'cat {L.Project}/AI_INSTRUCTIONS.md'
            attempt 'echo PWNED >> ../CLAUDE.md'
            attempt 'mkdir -p ../.claude && echo PWNED > ../.claude/settings.json'
            echo "PARENT: $(ls -a .. | tr '\n' ' ')"
            find / -path /proc -prune -o \( -name CLAUDE.md -o -name AI_INSTRUCTIONS.md -o -path '*/.claude/*' \) -print 2>/dev/null | while read -r f; do echo "FOUND $f"; head -c 300 "$f"; done
            """);
        foreach (var (file, hash) in before) Hash(Path.Combine(L.Project, file)).Should().Be(hash);
        outcome.Output.Should().Contain("PARENT: ");
    }

    [Fact]
    public async Task Read_the_host_users_claude_config_and_credentials()
    {
        fixture.RequireSession();
        // The real user's files (kept as they are) and a fake host home with planted credentials.
        var realHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var realFiles = new[] { ".claude.json", ".claude/.credentials.json", ".claude/settings.json" }.Select(f => Path.Combine(realHome, f)).ToArray();
        var realBefore = realFiles.ToDictionary(f => f, f => File.Exists(f) ? Hash(f) : "(absent)");
        // A HOME under /tmp would be written in the sandbox's private /tmp, which proves nothing: only try writes elsewhere.
        var writes = realHome.StartsWith("/tmp/", StringComparison.Ordinal) ? "" : $"""
            attempt 'echo PWNED > {realHome}/.claude.json'
            attempt 'mkdir -p {realHome}/.claude && echo PWNED > {realHome}/.claude/.credentials.json'
            """;
        var outcome = await _runner.RunAsync($"""
            for f in {string.Join(' ', realFiles)} {L.FakeHostHome}/.claude.json {L.FakeHostHome}/.claude/.credentials.json; do attempt "cat $f"; done
            attempt 'ls {realHome}/.claude'
            attempt 'ls {L.FakeHostHome}/.claude'
            attempt 'cat ~root/.claude.json'
            ls -1A {realHome} 2>/dev/null | sed 's/^/REAL-HOME-ENTRY: /'
            ls -1A {realHome}/.claude 2>/dev/null | sed 's/^/REAL-HOME-ENTRY: /'
            {writes}
            """);

        outcome.Output.Should().NotContain("REAL-HOME-ENTRY");
        foreach (var (file, hash) in realBefore) (File.Exists(file) ? Hash(file) : "(absent)").Should().Be(hash);
        foreach (var file in realFiles.Where(File.Exists))
        {
            var content = (await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)).Trim();
            if (content.Length >= 16) outcome.Output.Should().NotContain(content[..Math.Min(64, content.Length)]);
        }
    }

    [Fact]
    public async Task Connect_to_another_loopback_port()
    {
        fixture.RequireSession();
        var port = fixture.OtherPort!.Port;
        var outcome = await _runner.RunAsync($"""
            attempt 'curl -sS -m 3 http://127.0.0.1:{port}/'
            attempt 'curl -sS -m 3 http://localhost:{port}/'
            attempt 'bash -c "echo hi > /dev/tcp/127.0.0.1/{port}"'
            attempt 'socat -T 2 - TCP:127.0.0.1:{port}'
            attempt 'python3 -c "import socket; socket.create_connection((\"127.0.0.1\", {port}), 3)"'
            """);
        outcome.Output.Should().NotContain(fixture.OtherPort.Marker);
        fixture.OtherPort.Connections.Should().Be(0);
        outcome.Output.Should().Contain("Connection refused");
    }

    [Fact]
    public async Task Connect_to_the_model_port_on_127_0_0_2()
    {
        fixture.RequireSession();
        var port = fixture.ModelServer!.Port;
        var outcome = await _runner.RunAsync($"""
            attempt 'curl -sS -m 3 http://127.0.0.2:{port}/'
            attempt 'socat -T 2 - TCP:127.0.0.2:{port}'
            attempt 'python3 -c "import socket; socket.create_connection((\"127.0.0.2\", {port}), 3)"'
            """);
        outcome.Output.Should().NotContain(fixture.SecondLoopback!.Marker);
        fixture.SecondLoopback.Connections.Should().Be(0);
    }

    [Fact]
    public async Task Connect_to_the_model_port_on_ipv6_loopback()
    {
        fixture.RequireSession();
        if (fixture.Ipv6Loopback is null) Assert.Skip("no IPv6 loopback on this host, so there is nothing to reach on [::1]");
        var port = fixture.ModelServer!.Port;
        var outcome = await _runner.RunAsync($"""
            attempt 'curl -g -sS -m 3 http://[::1]:{port}/'
            attempt 'socat -T 2 - TCP6:[::1]:{port}'
            attempt 'python3 -c "import socket; socket.create_connection((\"::1\", {port}), 3)"'
            """);
        outcome.Output.Should().NotContain(fixture.Ipv6Loopback.Marker);
        fixture.Ipv6Loopback.Connections.Should().Be(0);
    }

    [Fact]
    public async Task Connect_to_a_host_unix_socket_in_the_filesystem()
    {
        fixture.RequireSession();
        var path = fixture.FileSocket!.Name;
        await _runner.RunAsync($"""
            attempt 'socat -T 2 - UNIX-CONNECT:{path}'
            attempt 'curl -sS -m 3 --unix-socket {path} http://x/'
            attempt 'python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.connect(\"{path}\")"'
            attempt 'python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.connect(\"/proc/1/root{path}\")"'
            """);
        fixture.FileSocket.Connections.Should().Be(0);
    }

    [Fact]
    public async Task Connect_to_a_host_abstract_unix_socket()
    {
        fixture.RequireSession();
        var name = fixture.AbstractSocket!.Name[1..];
        await _runner.RunAsync($"""
            attempt 'socat -T 2 - ABSTRACT-CONNECT:{name}'
            attempt 'python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.connect(\"\0{name}\")"'
            """);
        fixture.AbstractSocket.Connections.Should().Be(0);
    }

    [Fact]
    public async Task Read_a_host_process_files_through_proc()
    {
        fixture.RequireSession();
        var victim = fixture.Victim!.Id;
        var me = Environment.ProcessId;
        var outcome = await _runner.RunAsync($"""
            for pid in {victim} {me}; do
              attempt "cat /proc/$pid/environ"
              attempt "ls /proc/$pid/cwd/"
              attempt "ls /proc/$pid/root{L.Outside}/"
              attempt "cat /proc/$pid/cmdline"
            done
            echo "VISIBLE-PIDS: $(ls /proc | grep -E '^[0-9]+$' | tr '\n' ' ')"
            for p in /proc/[0-9]*; do tr '\0' '\n' < $p/environ 2>/dev/null; ls $p/cwd/ 2>/dev/null; done
            """);
        var visible = outcome.Output.Split('\n').First(l => l.StartsWith("VISIBLE-PIDS: ", StringComparison.Ordinal))["VISIBLE-PIDS: ".Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        visible.Should().NotContain(victim.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (visible.Length < 10).Should().BeTrue($"more processes than the sandbox's own are visible: {string.Join(' ', visible)}");
    }

    [Fact]
    public async Task Setuid_binaries_give_no_privileges()
    {
        fixture.RequireSession();
        ((File.GetUnixFileMode("/usr/bin/su") & UnixFileMode.SetUser) != 0).Should().BeTrue("precondition: /usr/bin/su is setuid on the host");
        var etcBefore = new[] { "/etc/passwd", "/etc/shadow", "/etc/group" }.ToDictionary(f => f, Hash);
        var outcome = await _runner.RunAsync($"""
            grep NoNewPrivs /proc/self/status
            attempt 'su root -c "echo ESCALATED-\$(id -u)"'
            attempt 'su -c "touch /usr/pwned-{T}" root'
            attempt '/usr/bin/mount -o remount,rw /usr'
            attempt 'newgrp root'
            attempt 'chsh -s /bin/sh sbx'
            attempt 'passwd -d sbx'
            attempt 'gpasswd -a sbx root'
            """);
        outcome.Output.Should().NotContain("ESCALATED-0");
        outcome.Output.Should().MatchRegex(@"NoNewPrivs:\s+1");
        foreach (var (file, hash) in etcBefore) Hash(file).Should().Be(hash);
    }

    [Fact]
    public async Task Signal_or_ptrace_a_host_process_of_the_same_uid()
    {
        fixture.RequireSession();
        var victim = fixture.Victim!;
        victim.HasExited.Should().BeFalse("precondition: the host victim process runs");
        await _runner.RunAsync($"""
            attempt 'kill -0 {victim.Id}'
            attempt 'kill -9 {victim.Id}'
            attempt 'python3 -c "import ctypes,sys; libc=ctypes.CDLL(None, use_errno=True); sys.exit(0 if libc.ptrace(16, {victim.Id}, 0, 0) == 0 else 1)"'
            attempt 'timeout 5 strace -p {victim.Id} -o /dev/null'
            attempt 'cat /proc/{victim.Id}/mem'
            attempt 'prlimit --pid {victim.Id} --nofile=1:1'
            kill -KILL -1 2>/dev/null
            """);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        victim.HasExited.Should().BeFalse("the host process was killed from inside the sandbox");
    }

    [Fact]
    public async Task Fill_the_disk_outside_the_work_dir()
    {
        fixture.RequireSession();
        var outcome = await _runner.RunAsync($"""
            attempt 'dd if=/dev/zero of=/tmp/pwned-{T} bs=1M count=200'
            attempt 'dd if=/dev/zero of=/dev/shm/pwned-{T} bs=1M count=200'
            attempt 'dd if=/dev/zero of=/var/tmp/pwned-{T} bs=1M count=1'
            attempt 'dd if=/dev/zero of=/dev/pwned-{T} bs=1M count=1'
            attempt 'dd if=/dev/zero of=$HOME/../pwned-{T} bs=1M count=1'
            """);
        // /tmp and /dev/shm inside are private tmpfs with a size limit: the writes stop at the limit, on no host disk.
        (outcome.Output.Split("No space left on device").Length - 1 >= 2).Should().BeTrue("the private /tmp and /dev/shm did not hit their size limit");
    }

    [Fact]
    public async Task Write_to_the_sandbox_homes_parent()
    {
        fixture.RequireSession();
        var outcome = await _runner.RunAsync($"""
            attempt 'echo x > $HOME/../pwned-{T}'
            attempt 'echo x > /home/pwned-{T}'
            attempt 'mkdir /home/other-{T}'
            attempt 'mv $HOME /home/moved-{T}'
            attempt 'mv {W} /moved-{T}'
            attempt 'rmdir $HOME'
            """);
        Directory.Exists(L.Home).Should().BeTrue();
        File.Exists(Path.Combine(L.Root, "pwned-" + T)).Should().BeFalse();
        outcome.Output.Should().Contain(SandboxSpec.HomeInside);
    }

    [Fact]
    public async Task Chmod_and_chown_tricks()
    {
        fixture.RequireSession();
        var usrBinMode = File.GetUnixFileMode("/usr/bin");
        var session = fixture.RequireSession();
        await _runner.RunAsync($"""
            cd {W}
            attempt 'chmod 0777 /usr/bin'
            attempt 'chmod 0777 /run/localclaude'
            attempt 'chmod 0777 ..'
            attempt 'chmod 0777 $HOME/..'
            attempt 'chmod 0666 /etc/passwd'
            attempt 'chmod 0666 {SandboxAttackFixture.ReadOnlyDataInside}/file.txt'
            attempt 'touch own-{T} && chown 0:0 own-{T}'
            attempt 'touch grp-{T} && chgrp 0 grp-{T}'
            attempt 'chown 0 {W}'
            cp /bin/sh ./setuid-sh-{T} && chmod 4755 ./setuid-sh-{T}
            """);
        File.GetUnixFileMode("/usr/bin").Should().Be(usrBinMode);
        // Whatever the sandbox creates is its own uid's: a setuid bit on it grants nothing beyond that uid.
        foreach (var name in new[] { "own-", "grp-", "setuid-sh-" })
            (await SandboxTestEnvironment.OwnerAsync(Path.Combine(L.Work, name + T))).Should().Be(session.SandboxUid);
        (await SandboxTestEnvironment.OwnerAsync(L.Work)).Should().Be(session.SandboxUid);
    }

    [Fact]
    public async Task Write_to_sys_and_proc_sys()
    {
        fixture.RequireSession();
        string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "(absent)";
        var watched = new[] { "/proc/sys/kernel/randomize_va_space", "/proc/sys/kernel/hostname", "/sys/kernel/mm/transparent_hugepage/enabled" };
        var before = watched.ToDictionary(p => p, Read);
        var outcome = await _runner.RunAsync($"""
            attempt 'echo 0 > /proc/sys/kernel/randomize_va_space'
            attempt 'echo pwned-{T} > /proc/sys/kernel/hostname'
            attempt 'hostname pwned-{T}'
            attempt 'echo never > /sys/kernel/mm/transparent_hugepage/enabled'
            attempt 'echo 1 > /sys/fs/cgroup/cgroup.procs'
            attempt 'echo h > /proc/sysrq-trigger'
            attempt 'mount -t sysfs sysfs /sys'
            """);
        foreach (var (path, value) in before) Read(path).Should().Be(value);
        Environment.MachineName.Should().NotContain("pwned-");
    }

    [Fact]
    public async Task Dns_and_external_network()
    {
        fixture.RequireSession();
        var host = fixture.HostAddress?.ToString() ?? "10.0.0.1";
        var hostPort = fixture.HostInterface?.Port ?? 80;
        var udpPort = fixture.HostInterfaceUdp?.Port ?? 53;
        var outcome = await _runner.RunAsync($"""
            attempt 'getent hosts example.com'
            attempt 'getent ahosts api.anthropic.com'
            attempt 'curl -sS -m 3 http://example.com/'
            attempt 'curl -sS -m 3 http://10.0.0.1/'
            attempt 'curl -sS -m 3 http://{host}:{hostPort}/'
            attempt 'python3 -c "import socket; socket.create_connection((\"10.0.0.1\", 80), 3)"'
            attempt 'python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b\"x\", (\"{host}\", {udpPort}))"'
            attempt 'python3 -c "import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b\"x\", (\"2001:4860:4860::8888\", 53))"'
            echo "INTERFACES: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
            """);
        outcome.Output.Replace("\r", "").Should().Contain("INTERFACES: lo \n");
        outcome.Output.Should().Contain("Network is unreachable");
        // The counters (host interface TCP/UDP, a DNS server on host 127.0.0.1:53 where the port was free) are checked by the runner.
        if (fixture.HostInterface is not null) outcome.Output.Should().NotContain(fixture.HostInterface.Marker);
    }

    [Fact]
    public async Task Write_to_read_only_binds()
    {
        fixture.RequireSession();
        var claudeBefore = fixture.ClaudeBinary is null ? null : Hash(fixture.ClaudeBinary);
        var claudeTarget = fixture.ClaudeBinary is null ? "" : $"{SandboxAttackFixture.ClaudeInside}/{Path.GetFileName(fixture.ClaudeBinary)}";
        var claudeAttempts = fixture.ClaudeBinary is null ? "" : $"""
            attempt 'touch {SandboxAttackFixture.ClaudeInside}/pwned-{T}'
            attempt 'echo PWNED >> {claudeTarget}'
            attempt 'chmod 0777 {claudeTarget}'
            """;
        await _runner.RunAsync($"""
            attempt 'echo PWNED >> {SandboxAttackFixture.ReadOnlyDataInside}/file.txt'
            attempt 'rm {SandboxAttackFixture.ReadOnlyDataInside}/file.txt'
            attempt 'touch {SandboxAttackFixture.ReadOnlyDataInside}/pwned-{T}'
            {claudeAttempts}
            """);
        if (fixture.ClaudeBinary is not null)
        {
            Hash(fixture.ClaudeBinary).Should().Be(claudeBefore);
            File.Exists(Path.Combine(Path.GetDirectoryName(fixture.ClaudeBinary)!, "pwned-" + T)).Should().BeFalse();
        }
    }

    [Fact]
    public async Task Tamper_with_the_bridge_and_the_generated_etc_files()
    {
        fixture.RequireSession();
        var hostEtc = new[] { "/etc/hosts", "/etc/passwd", "/etc/nsswitch.conf" }.ToDictionary(f => f, Hash);
        await _runner.RunAsync("""
            attempt 'echo "exec sh" > /run/localclaude/init.sh'
            attempt 'rm /run/localclaude/llm.sock'
            attempt 'ln -sf /tmp/x /run/localclaude/llm.sock'
            attempt 'echo "10.0.0.1 localhost" >> /etc/hosts'
            attempt 'echo "root2::0:0::/:/bin/sh" >> /etc/passwd'
            attempt 'rm /etc/nsswitch.conf'
            """);
        foreach (var (file, hash) in hostEtc) Hash(file).Should().Be(hash);

        // The bridge still carries the next sandbox to the model server.
        var session = fixture.RequireSession();
        var after = await session.RunShellAsync($"curl -sS -m 5 -d {{}} {session.ModelServerUrl}v1/messages", TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        after.StandardOutput.Should().Contain(fixture.ModelServer!.Marker);
    }

    [Fact]
    public async Task Use_a_descriptor_leaked_in_from_the_host()
    {
        fixture.RequireSession();
        // A careless caller hands the sandbox open directories of the host; the launcher must close them before bwrap.
        const string leak = "exec 7<\"$1\" 8<\"$2\"; shift 2; exec \"$@\"";
        var outcome = await _runner.RunAsync($"""
            echo "DESCRIPTORS: $(ls /proc/self/fd | tr '\n' ' ')"
            attempt 'ls /proc/self/fd/7/'
            attempt 'ls /proc/self/fd/8/'
            attempt 'echo x > /proc/self/fd/7/pwned-{T}'
            attempt 'ls /proc/self/fd/8/..'
            attempt 'ls /proc/1/fd/7/'
            """,
            argv => ["/bin/bash", "-c", leak, "leak", L.Outside, L.Project, .. argv]);
        File.Exists(Path.Combine(L.Outside, "pwned-" + T)).Should().BeFalse();
        outcome.Output.Should().MatchRegex(@"DESCRIPTORS: 0 1 2 3 \n");
    }

    private const int MsRemount = 32;
    private const int MsBind = 4096;

    private static string Hash(string path)
    {
        if (!File.Exists(path)) return "(absent)";
        try { return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))); }
        catch (UnauthorizedAccessException) { return "(unreadable) " + File.GetLastWriteTimeUtc(path).Ticks; }
    }

    private static async Task<int> LinkCountAsync(string path)
    {
        var result = await LocalClaude.Infrastructure.ExternalCommand.RunAsync("stat", ["-c", "%h", "--", path]);
        return int.Parse(result.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
