using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.Sandbox;

/// <summary>
/// A tiny C program, compiled with gcc once per test run, that issues one raw syscall (so that no libc wrapper and no
/// tool's own fallbacks hide what the kernel and the seccomp filter answered): prints "OK …" (exit 0) or
/// "ERR ERRNONAME …" (exit 1).
/// </summary>
internal static class SyscallProbe
{
    /// <summary>Where tests put the binary inside the work dir.</summary>
    public const string FileName = ".syscall-probe";

    private static readonly Lazy<Task<string?>> Binary = new(CompileAsync);

    /// <summary>The compiled probe on the host; skips the test (fails it in CI) without gcc.</summary>
    public static async Task<string> RequireAsync()
    {
        var path = await Binary.Value;
        MissingPart.Require(path is not null, "gcc is needed to build the syscall probe");
        return path!;
    }

    /// <summary>Copies the probe into <paramref name="workDirectory"/> (readable and runnable by the sandbox uid) and returns its name there.</summary>
    public static async Task<string> InstallAsync(string workDirectory)
    {
        var target = Path.Combine(workDirectory, FileName);
        File.Copy(await RequireAsync(), target, overwrite: true);
        File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        return target;
    }

    private static async Task<string?> CompileAsync()
    {
        if (ToolLocator.Find("gcc", ToolLocator.DefaultSearchPath) is not { } gcc) return null;
        var dir = Directory.CreateTempSubdirectory("localclaude-syscall-probe-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        var source = Path.Combine(dir, "probe.c");
        await File.WriteAllTextAsync(source, Source);
        var binary = Path.Combine(dir, "probe");
        await ExternalCommand.RunAsync(gcc, ["-O1", "-Wall", "-o", binary, source, "-lpthread"],
            new CommandOptions { Timeout = TimeSpan.FromMinutes(2) });
        return binary;
    }

    private const string Source = """
        // Issues one raw syscall named on the command line; prints "OK ..." (exit 0) or "ERR <errno name> ..." (exit 1).
        #define _GNU_SOURCE
        #include <errno.h>
        #include <fcntl.h>
        #include <pthread.h>
        #include <signal.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/ioctl.h>
        #include <sys/socket.h>
        #include <sys/syscall.h>
        #include <sys/wait.h>
        #include <termios.h>
        #include <unistd.h>

        static int report(long r, const char *what) {
            if (r < 0) { printf("ERR %s %s\n", strerrorname_np(errno), what); return 1; }
            printf("OK %s %ld\n", what, r); return 0;
        }
        static void *thread_main(void *arg) { return arg; }

        int main(int argc, char **argv) {
            if (argc < 2) return 2;
            const char *op = argv[1];
            long a = argc > 2 ? strtol(argv[2], 0, 0) : 0;
            if (!strcmp(op, "tiocsti")) {            // tiocsti PATH|- TEXT [HIGH]: push TEXT and a newline into the terminal's input queue
                int fd = strcmp(argv[2], "-") ? open(argv[2], O_RDWR) : 0;
                if (fd < 0) return report(-1, "open");
                unsigned long req = TIOCSTI | (argc > 4 ? strtoul(argv[4], 0, 0) << 32 : 0);
                long r = 0;
                for (const char *c = argv[3]; *c && r >= 0; c++) r = syscall(SYS_ioctl, fd, req, c);
        if (r >= 0) r = syscall(SYS_ioctl, fd, req, "\n");
                return report(r, "tiocsti");
            }
            if (!strcmp(op, "tioclinux")) { int fd = strcmp(argv[2], "-") ? open(argv[2], O_RDWR) : 0; char sub = 2; return report(syscall(SYS_ioctl, fd, (unsigned long)TIOCLINUX, &sub), "tioclinux"); }
            if (!strcmp(op, "tcgets")) { struct termios t; return report(syscall(SYS_ioctl, 0, (unsigned long)TCGETS, &t), "tcgets"); }
            if (!strcmp(op, "winsize")) { struct winsize w; long r = syscall(SYS_ioctl, 0, (unsigned long)TIOCGWINSZ, &w); if (r == 0) printf("SIZE %dx%d\n", w.ws_col, w.ws_row); return report(r, "winsize"); }
            if (!strcmp(op, "unshare")) return report(syscall(SYS_unshare, a), "unshare");
            if (!strcmp(op, "clone")) {              // clone FLAGS: raw clone, child exits at once
                long r = syscall(SYS_clone, a | SIGCHLD, 0, 0, 0, 0);
                if (r == 0) _exit(0);
                if (r > 0) waitpid(r, 0, 0);
                return report(r, "clone");
            }
            if (!strcmp(op, "clone3")) { uint64_t args[11] = {0}; args[4] = SIGCHLD; long r = syscall(SYS_clone3, args, sizeof args); if (r == 0) _exit(0); if (r > 0) waitpid(r, 0, 0); return report(r, "clone3"); }
            if (!strcmp(op, "threads")) { pthread_t t[8]; for (int i = 0; i < 8; i++) if (pthread_create(&t[i], 0, thread_main, 0)) return report(-1, "pthread_create"); for (int i = 0; i < 8; i++) pthread_join(t[i], 0); return report(8, "threads"); }
            if (!strcmp(op, "mount")) return report(syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, 0), "mount");
            if (!strcmp(op, "fsopen")) return report(syscall(SYS_fsopen, "tmpfs", 0), "fsopen");
            if (!strcmp(op, "keyctl")) return report(syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 1), "keyctl");
            if (!strcmp(op, "add_key")) return report(syscall(SYS_add_key, "user", "localclaude", "v", 1, -2 /* process */), "add_key");
            if (!strcmp(op, "bpf")) return report(syscall(SYS_bpf, 9999, 0, 0), "bpf");
            if (!strcmp(op, "perf_event_open")) return report(syscall(SYS_perf_event_open, 0, 0, -1, -1, 0), "perf_event_open");
            if (!strcmp(op, "userfaultfd")) return report(syscall(SYS_userfaultfd, 0), "userfaultfd");
            if (!strcmp(op, "io_uring_setup")) { char params[120] = {0}; return report(syscall(SYS_io_uring_setup, 4, params), "io_uring_setup"); }
            if (!strcmp(op, "socket")) return report(syscall(SYS_socket, a, strtol(argv[3], 0, 0), strtol(argv[4], 0, 0)), "socket");
            if (!strcmp(op, "socketpair")) { int sv[2]; return report(syscall(SYS_socketpair, a, SOCK_STREAM, 0, sv), "socketpair"); }
            if (!strcmp(op, "ptrace")) return report(syscall(SYS_ptrace, 0 /* TRACEME */, 0, 0, 0), "ptrace");
            if (!strcmp(op, "personality")) return report(syscall(SYS_personality, (unsigned long)strtoul(argv[2], 0, 0)), "personality");
            if (!strcmp(op, "kill")) return report(kill((pid_t)a, (int)strtol(argv[3], 0, 0)), "kill");
            if (!strcmp(op, "fork")) {               // fork N: N children that wait for the parent's signal; stops at the first failure
                long n = 0; pid_t kids[20000];
                for (; n < a && n < 20000; n++) {
                    pid_t p = fork();
                    if (p == 0) { pause(); _exit(0); }
                    if (p < 0) { fprintf(stderr, "fork: %s\n", strerror(errno)); break; }
                    kids[n] = p;
                }
                for (long i = 0; i < n; i++) kill(kids[i], SIGKILL);
                for (long i = 0; i < n; i++) waitpid(kids[i], 0, 0);
                printf("FORKED %ld\n", n);
                return n == a ? 0 : 1;
            }
            if (!strcmp(op, "alloc")) {              // alloc MIB [HOLD_S]: touch MIB MiB in 8 MiB pieces; stops at the first failure
                long mib = 0;
                for (; mib < a; mib += 8) {
                    char *p = malloc(8 << 20);
                    if (!p) { fprintf(stderr, "malloc: %s\n", strerror(errno)); break; }
                    memset(p, 1, 8 << 20);
                }
                printf("ALLOCATED %ld MiB\n", mib);
                fflush(stdout);
                if (argc > 3 && mib >= a) sleep((unsigned)strtol(argv[3], 0, 0)); // held, resident, while others allocate
                return mib >= a ? 0 : 1;
            }
            if (!strcmp(op, "spin")) { volatile unsigned long x = 0; for (long i = 0; a == 0 || i < a; i++) x += i; printf("SPUN\n"); return 0; }
            fprintf(stderr, "unknown op %s\n", op);
            return 2;
        }
        """;
}
