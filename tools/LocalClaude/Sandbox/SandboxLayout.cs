using System.Globalization;
using System.Text;

namespace LocalClaude.Sandbox;

/// <summary>A host path bound into the sandbox; <see cref="Source"/> is what bwrap binds (the staging mount point when staged).</summary>
internal sealed record SandboxBind(string HostPath, string InsidePath, bool ReadOnly, string Source);

/// <summary>
/// The per-sandbox runtime folder on the host (world-traversable, owned by the caller):
/// <c>mount/</c> is bound read-only at /run/localclaude (init script, generated passwd/group/hosts/nsswitch.conf, bridge socket);
/// <c>stage/N</c> are empty mount points that a private mount namespace fills with the real binds, so that the
/// unprivileged sandbox uid never needs to traverse the caller's folders (bwrap resolves bind sources as that uid).
/// </summary>
internal sealed class SandboxLayout
{
    public const string MountInside = "/run/localclaude";
    public const string SocketInside = MountInside + "/llm.sock";
    public const string InitInside = MountInside + "/init.sh";
    public const string SocatInside = "/run/localclaude-tools/socat";
    public static readonly string[] GeneratedEtcFiles = ["passwd", "group", "hosts", "nsswitch.conf"];

    private SandboxLayout(string root, IReadOnlyList<SandboxBind> binds, string socatInside,
        IReadOnlyList<WriteDenySnapshot> denied, IReadOnlyList<SandboxBind> denyBinds)
    {
        Root = root;
        Binds = binds;
        SocatPathInside = socatInside;
        Denied = denied;
        DenyBinds = denyBinds;
    }

    public string Root { get; }
    public string MountDirectory => Path.Combine(Root, "mount");
    public string SocketPath => Path.Combine(MountDirectory, "llm.sock");
    public string BridgeLog => Path.Combine(Root, "bridge.log");
    /// <summary>Work dir first, HOME second, then the read-only binds.</summary>
    public IReadOnlyList<SandboxBind> Binds { get; }
    public SandboxBind Work => Binds[0];
    public SandboxBind Home => Binds[1];
    public string SocatPathInside { get; }
    /// <summary>The writable folders' deny paths as they were before the sandbox (layer 2 compares with them).</summary>
    public IReadOnlyList<WriteDenySnapshot> Denied { get; }
    /// <summary>Mounted after <see cref="Binds"/>: the deny paths read-only, the folders above them over themselves.</summary>
    public IReadOnlyList<SandboxBind> DenyBinds { get; }

    /// <summary>Creates the folder and its generated files. <paramref name="stage"/>: bind through staging mount points (root callers).</summary>
    public static SandboxLayout Create(
        string runtimeRoot, string id, SandboxSpec spec, string workHost, string homeHost,
        IReadOnlyList<ReadOnlyBind> readOnly, string? socat, int uid, int gid, bool stage, IReadOnlyList<WriteDenySnapshot> denied)
    {
        var root = Path.Combine(Path.GetFullPath(runtimeRoot), "localclaude-sbx-" + id);
        Directory.CreateDirectory(root);
        // The sandbox uid must reach mount/ and the staging points; nothing here is secret.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(root, "mount"));
        File.SetUnixFileMode(Path.Combine(root, "mount"), (UnixFileMode)0b111_101_101);

        var wanted = new List<(string Host, string Inside, bool ReadOnly)>
        {
            (workHost, spec.WorkDirectoryInside, false),
            (homeHost, SandboxSpec.HomeInside, false),
        };
        wanted.AddRange(readOnly.Select(b => (b.HostPath, b.InsidePath, true)));
        var socatInside = socat ?? "";
        if (spec.ModelServerPort is not null && socat is not null)
        {
            // /usr is visible anyway; a socat elsewhere is bound in on its own.
            if (socat.StartsWith("/usr/", StringComparison.Ordinal)) socatInside = socat;
            else
            {
                socatInside = SocatInside;
                wanted.Add((socat, SocatInside, true));
            }
        }

        var binds = new List<SandboxBind>();
        foreach (var (host, inside, readOnlyBind) in wanted)
        {
            var source = host;
            if (stage)
            {
                source = Path.Combine(root, "stage", binds.Count.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(Path.GetDirectoryName(source)!);
                if (Directory.Exists(host)) Directory.CreateDirectory(source);
                else File.WriteAllBytes(source, []);
            }
            binds.Add(new SandboxBind(host, inside, readOnlyBind, source));
        }
        if (stage) File.SetUnixFileMode(Path.Combine(root, "stage"), (UnixFileMode)0b111_101_101);

        // Through the writable folder's own bind source (its staging point when staged), so the sandbox uid can resolve it.
        var denyBinds = new List<SandboxBind>();
        foreach (var snapshot in denied)
        {
            var folder = binds.Single(b => b.HostPath == snapshot.Root && !b.ReadOnly);
            foreach (var (relative, readOnlyBind) in WriteDenyList.Binds(snapshot))
                denyBinds.Add(new SandboxBind(Path.Combine(folder.HostPath, relative), folder.InsidePath + "/" + relative, readOnlyBind,
                    Path.Combine(folder.Source, relative)));
        }

        var layout = new SandboxLayout(root, binds, socatInside, denied, denyBinds);
        layout.WriteGeneratedFiles(spec, uid, gid);
        return layout;
    }

    private void WriteGeneratedFiles(SandboxSpec spec, int uid, int gid)
    {
        var inv = CultureInfo.InvariantCulture;
        Write("passwd", string.Create(inv,
            $"root:x:0:0:root:/root:/usr/sbin/nologin\nsbx:x:{uid}:{gid}:LocalClaude sandbox:{SandboxSpec.HomeInside}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"));
        Write("group", string.Create(inv, $"root:x:0:\nsbx:x:{gid}:\nnogroup:x:65534:\n"));
        // Only the IPv4 name: "localhost" must never resolve to ::1, where nothing listens.
        Write("hosts", "127.0.0.1\tlocalhost\n");
        // "dns" stays so that a lookup really tries (and fails: there is no resolver in the sandbox's network).
        Write("nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n");

        var init = new StringBuilder("#!/bin/sh\n# Written by LocalClaude: runs first inside the sandbox, then becomes the command.\numask 022\n");
        if (spec.ModelServerPort is { } port)
            init.Append(PortBridge.InsideListenerScript(SocatPathInside, port, SocketInside)).Append('\n');
        init.Append("exec \"$@\"\n");
        Write("init.sh", init.ToString());
    }

    private void Write(string name, string content)
    {
        var path = Path.Combine(MountDirectory, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
    }

    /// <summary>Deletes the folder, unless something is mounted beneath it in our namespace (then a recursive delete could reach the binds).</summary>
    public void Delete()
    {
        var prefix = Root + "/";
        if (File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ') is { Length: > 4 } f && f[4].StartsWith(prefix, StringComparison.Ordinal)))
            return;
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
