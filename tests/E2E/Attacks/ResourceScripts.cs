namespace LocalClaude.E2E.Tests.Attacks;

/// <summary>
/// Resource abuse from inside, one launch each (a limit may end the whole sandbox). Every attack is bounded, so on a
/// sandbox without limits it still ends (and the test fails) without taking the shared machine down.
/// </summary>
internal static class ResourceScripts
{
    /// <summary>Up to 4096 processes that sleep; a process limit must stop it first.</summary>
    public const string ForkBomb = """
        export R
        allowed allowed-before
        checkpoint limits
        perl -e 'my ($n, @kids) = (0); while ($n < 4096) { my $p = fork(); if (!defined $p) { print "failed-at=$n errno=", $! + 0, "\n"; last } if ($p == 0) { sleep 60; exit 0 } push @kids, $p; $n++ }
          print "forked=$n\n"; open(my $f, ">", "$ENV{R}/cp-fork"); close $f; for (1 .. 200) { last if -e "$ENV{R}/cp-fork.done"; select(undef, undef, undef, 0.1) }
          kill "KILL", @kids; waitpid($_, 0) for @kids;' lc-fork-"$MARK" > "$R/fork.out" 2>&1
        allowed allowed-after
        note done all
        """;

    /// <summary>
    /// Memory in 256 MiB steps, each touched, up to the target the host set at the checkpoint (the limit it read
    /// plus 512 MiB, or 6 GiB without one); the limit must stop it first.
    /// </summary>
    public const string MemoryHog = """
        export R
        allowed allowed-before
        checkpoint limits
        TARGET=$(sed -n 's/.*target=\([0-9]*\).*/\1/p' "$R/host-limits.txt")
        perl -e 'my (@a, $mib); $mib = 0; while ($mib < $ARGV[0]) { push @a, "x" x (256 << 20); $mib += 256; open(my $f, ">", "$ENV{R}/mem.progress"); print $f "$mib\n"; close $f }
          print "allocated=$mib\n";' "${TARGET:-0}" lc-hog-"$MARK" > "$R/mem.out" 2>&1
        echo "exit=$?" >> "$R/mem.out"
        allowed allowed-after
        note done all
        """;

    /// <summary>
    /// The same total spread over three processes, each under a per-process limit: the sandbox as a whole must be
    /// bounded, or a few processes take the host's memory.
    /// </summary>
    public const string SpreadMemoryHog = """
        export R
        allowed allowed-before
        checkpoint limits
        TARGET=$(sed -n 's/.*target=\([0-9]*\).*/\1/p' "$R/host-limits.txt")
        for i in 1 2 3; do
          perl -e 'my (@a, $mib); $mib = 0; while ($mib + 256 <= $ARGV[0]) { push @a, "x" x (256 << 20); $mib += 256 } print "allocated=$mib\n"; sleep 3;' \
            "$(( ${TARGET:-0} / 3 ))" lc-hog-"$MARK" > "$R/spread-$i.out" 2>&1 &
        done
        wait
        cat "$R"/spread-*.out > "$R/spread.out"
        allowed allowed-after
        note done all
        """;

    /// <summary>A file in the work dir up to the target the host set (the file size limit plus 256 MiB, or 4 GiB); the limit must stop it first.</summary>
    public const string DiskFiller = """
        export R
        allowed allowed-before
        checkpoint limits
        TARGET=$(sed -n 's/.*target=\([0-9]*\).*/\1/p' "$R/host-limits.txt")
        dd if=/dev/zero of="$WORK/lc-fill" bs=1M count="${TARGET:-0}" 2> "$R/dd.err"
        echo "exit=$?" > "$R/dd.out"
        stat -c 'size=%s' "$WORK/lc-fill" >> "$R/dd.out"
        rm -f "$WORK/lc-fill"
        allowed allowed-after
        note done all
        """;

    /// <summary>Two busy loops for 8 s while the host measures how fast it still starts a process.</summary>
    public const string CpuBurner = """
        export R
        allowed allowed-before
        for i in 1 2; do timeout 8 perl -e '1 while 1' lc-burn-"$MARK" & done
        sleep 1
        checkpoint burn
        wait
        allowed allowed-after
        note done all
        """;

    /// <summary>100 idle connections to the model port, held while the host counts its processes.</summary>
    public const string IdleConnections = """
        export R
        allowed allowed-before
        checkpoint baseline
        perl -MIO::Socket::INET -e 'my @s; for (1 .. 100) { my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]", Timeout => 3); push @s, $c if $c }
          print "open=", scalar(@s), "\n"; open(my $f, ">", "$ENV{R}/cp-conns"); close $f; for (1 .. 300) { last if -e "$ENV{R}/cp-conns.done"; select(undef, undef, undef, 0.1) }' "$PORT" > "$R/conns.out" 2>&1
        allowed allowed-after
        note done all
        """;

    /// <summary>FIFOs and a 1 TiB sparse file where the launcher (or the next launch) may read HOME, a FIFO and a sparse file in the work dir.</summary>
    public const string HomeTraps = """
        allowed allowed-before
        for f in .claude.json .claude/settings.json .claude/settings.local.json .claude/.credentials.json .config/localclaude; do
          rm -rf "$HOME/$f"; mkdir -p "$(dirname "$HOME/$f")"; mkfifo "$HOME/$f" && note traps "fifo=$f"
        done
        truncate -s 1T "$HOME/.claude/history.jsonl" && note traps "sparse-home"
        truncate -s 1T "$WORK/lc-sparse" && note traps "sparse-work"
        mkfifo "$WORK/lc-fifo"
        note done all
        exit 0
        """;
}
