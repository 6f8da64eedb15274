using System.Globalization;
using LocalClaude.Client;
using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Sandbox;
using LocalClaude.Server;

namespace LocalClaude.Launcher;

/// <summary>
/// <c>launch local</c>: the profile's llama-server (started here, or shared when one already runs), then the real Claude
/// Code interactively in the bubblewrap sandbox with its own HOME, reaching only that server through the bridge; when
/// Claude Code exits, everything this launch started is stopped.
/// </summary>
public sealed class LocalLauncher(LocalClaudeContext context, TextWriter output, BwrapSandboxOptions? sandboxOptions = null)
{
    /// <summary>Where the Claude Code binary's folder appears inside the sandbox.</summary>
    public const string ClaudeFolderInside = "/opt/localclaude/claude-code";

    private static readonly string[] ReservedInside =
        ["/proc", "/dev", "/tmp", "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/run/localclaude", "/run/localclaude-tools", SandboxSpec.HomeInside, ClaudeFolderInside];

    /// <summary>The default HOME for a profile's sandboxed Claude Code (its login-free config, theme, history).</summary>
    public static string DefaultSandboxHome(LocalClaudeHome cache, string profileName) =>
        Path.Combine(cache.LaunchHomes, profileName);

    /// <summary>Checks the request without starting anything; bad input is a <see cref="LaunchRefusedException"/>.</summary>
    public LocalLaunchPlan Plan(LocalLaunchRequest request)
    {
        ModelProfile profile;
        try { profile = context.Profile(request.ProfileName); }
        catch (ModelsConfException e) { throw new LaunchRefusedException($"unknown profile '{request.ProfileName}': {e.Message}", e); }

        // One list of reserved paths for every path argument (ReservedPaths), each resolved (symlinks, ..) first.
        var reserved = ReservedPaths.ForLaunch(context.Repo.Root, context.Home.Root, ReservedPaths.UserHome());
        var work = CheckWorkDirectory(request.WorkDirectory, reserved);
        var claude = ClaudeCodeLocator.ForLocal(context.Home, request.ClaudeBinary, request.ClaudeCodeVersion);
        var claudeBind = ClaudeCodeLocator.BindFor(claude);
        if (request.ClaudeBinary is not null) CheckClaude(request.ClaudeBinary, claudeBind, reserved);
        if (RealPath.Overlap(claudeBind.HostPath, work))
            throw new LaunchRefusedException($"the work dir '{work}' and the Claude Code files {claudeBind.HostPath} overlap; the sandbox could change the binary");
        foreach (var entry in request.DenyWrite)
            if (!WriteDenyList.IsValidEntry(entry))
                throw new LaunchRefusedException($"--deny-write '{entry}': give a path relative to the work dir, without '.' or '..' parts");
        var home = CheckSandboxHome(request.SandboxHome, DefaultSandboxHome(context.Home, profile.Name), work, claudeBind.HostPath, reserved);

        LlamaServerLaunch launch;
        try
        {
            launch = context.ResolveLaunch(profile);
            LlamaServerProcess.Preflight(launch);
        }
        catch (Exception e) when (e is FileNotFoundException or LlamaServerStartException)
        {
            throw new LaunchRefusedException($"profile '{profile.Name}' cannot start: {e.Message}", e);
        }
        return new LocalLaunchPlan
        {
            Profile = profile,
            ServerLaunch = launch,
            WorkDirectory = work,
            WorkDirectoryInside = ReservedInside.Any(r => RealPath.IsSameOrInside(work, r) || RealPath.IsSameOrInside(r, work))
                ? SandboxSpec.DefaultWorkInside
                : work,
            SandboxHome = home,
            Claude = claude,
            ClaudeBind = claudeBind,
            ClaudeArguments = request.ClaudeArguments,
            ReuseServer = request.ReuseServer,
            DenyWrite = request.DenyWrite,
        };
    }

    /// <summary>Plans, prints what is in use, runs Claude Code to its end and stops what it started. Returns Claude Code's exit code.</summary>
    public async Task<int> RunAsync(LocalLaunchRequest request, CancellationToken cancellationToken)
    {
        var plan = Plan(request);
        PrintBanner(plan);
        using var workLock = FolderLock.Acquire(context.Home, plan.WorkDirectory, "work dir");
        using var homeLock = FolderLock.Acquire(context.Home, plan.SandboxHome, "sandbox HOME");
        Directory.CreateDirectory(plan.SandboxHome);

        var sandbox = new BwrapSandbox(sandboxOptions);
        // Before the server starts: a machine without bubblewrap gets the fix, not a server it cannot use.
        (await sandbox.ProbeAsync(cancellationToken)).EnsureUsable(withNetwork: true);

        var server = await AcquireServerAsync(plan, cancellationToken);
        try
        {
            var exitCode = await RunClaudeCodeAsync(sandbox, plan, server.Port, cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Claude Code exited with code {exitCode}."));
            return exitCode;
        }
        finally
        {
            if (server.StartedHere)
            {
                if (server.HasExited) output.WriteLine($"llama-server had exited during the session; last lines:\n{server.LogTail()}");
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopping llama-server (pid {server.Pid})..."));
                await server.DisposeAsync();
                output.WriteLine("stopped.");
            }
            else output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"llama-server pid {server.Pid} was not started by this launch: left running."));
            output.Flush();
        }
    }

    private async Task<int> RunClaudeCodeAsync(BwrapSandbox sandbox, LocalLaunchPlan plan, int serverPort, CancellationToken cancellationToken)
    {
        // Disposing the session kills whatever still runs in it, stops the bridge and gives the folders back.
        var session = await sandbox.StartAsync(SandboxSpecFor(plan, serverPort), cancellationToken);
        try
        {
            Line("sandbox", $"bubblewrap {session.Id}: writes only the work dir and HOME; network: 127.0.0.1:{serverPort} only");
            Line("limits", $"{SeccompFilter.Describe()}; {session.Spec.Limits.Describe()}");
            var argv = session.BuildCommandLine(ClaudeInside(plan), plan.ClaudeArguments);
            output.WriteLine("starting Claude Code (leave with /exit)...");
            output.Flush();
            return await new TerminalCommand(argv[0], argv.Skip(1).ToArray(), "/", new Dictionary<string, string?>()).RunAsync(cancellationToken);
        }
        finally
        {
            try { await session.DisposeAsync(); }
            // Second layer behind the seccomp filter's TIOCSTI rule, once nothing inside runs any more: nothing queued
            // in the shared terminal reaches the user's shell.
            finally { TerminalInput.DiscardPending(); }
            foreach (var moved in session.Quarantined)
                Line("denied", $"the sandbox created or changed a file that runs on the host; moved aside to {Printable(moved)}");
        }
    }

    /// <summary>The Claude Code executable as the sandbox sees it: in its package folder, or alone.</summary>
    public static string ClaudeInside(ClaudeCodeBind bind) => ClaudeFolderInside + "/" + bind.RelativeExecutable;

    private static string ClaudeInside(LocalLaunchPlan plan) => ClaudeInside(plan.ClaudeBind);

    /// <summary>What the sandbox binds of Claude Code: the package folder at <see cref="ClaudeFolderInside"/>, or the file alone in it.</summary>
    public static ReadOnlyBind ClaudeReadOnlyBind(ClaudeCodeBind bind) =>
        new(bind.HostPath, bind.IsFile ? ClaudeInside(bind) : ClaudeFolderInside);

    private async Task<ModelServerLease> AcquireServerAsync(LocalLaunchPlan plan, CancellationToken cancellationToken)
    {
        if (plan.ReuseServer) output.WriteLine($"looking for a running llama-server for '{plan.Profile.Name}'...");
        else output.WriteLine($"starting llama-server for '{plan.Profile.Name}'...");
        output.Flush();
        var server = await ModelServerLease.AcquireAsync(plan.ServerLaunch, plan.ReuseServer, cancellationToken);
        Line("server", server.StartedHere
            ? string.Create(CultureInfo.InvariantCulture,
                $"started llama-server pid {server.Pid} on {server.BaseUrl} in {server.StartupTime?.TotalSeconds:0.0} s (log: {server.LogFile}); stopped when Claude Code exits")
            : string.Create(CultureInfo.InvariantCulture,
                $"reusing llama-server pid {server.Pid} on {server.BaseUrl} (same profile arguments); left running when Claude Code exits"));
        return server;
    }

    /// <summary>The sandbox for one launch: the work dir at its own path, the Claude Code folder read-only, the local-backend environment.</summary>
    public static SandboxSpec SandboxSpecFor(LocalLaunchPlan plan, int serverPort)
    {
        var environment = new Dictionary<string, string>(
            ClaudeCodeEnvironment.ForLocalBackend(new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{serverPort}")), plan.Profile));
        foreach (var name in new[] { "TERM", "COLORTERM" })
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) environment[name] = value;
        return new SandboxSpec
        {
            WorkDirectory = plan.WorkDirectory,
            WorkDirectoryInside = plan.WorkDirectoryInside,
            HomeDirectory = plan.SandboxHome,
            ReadOnlyBinds = [ClaudeReadOnlyBind(plan.ClaudeBind)],
            DenyWrite = plan.DenyWrite,
            ModelServerPort = serverPort,
            Environment = environment,
            Interactive = true,
        };
    }

    private void PrintBanner(LocalLaunchPlan plan)
    {
        output.WriteLine("localclaude launch: Claude Code on a local model, sandboxed");
        Line("backend", "local (llama-server on this machine; nothing leaves 127.0.0.1)");
        Line("profile", $"{plan.Profile.Name} ({plan.Profile.Location}){(plan.Profile.Description is { } d ? " - " + d : "")}");
        Line("work dir", plan.WorkDirectory == plan.WorkDirectoryInside
            ? plan.WorkDirectory
            : $"{plan.WorkDirectory} (seen inside as {plan.WorkDirectoryInside})");
        Line("HOME", $"{plan.SandboxHome} (seen inside as {SandboxSpec.HomeInside}); your own ~/.claude and ~/.claude.json are not visible");
        Line("claude", $"{plan.Claude.Path} ({plan.Claude.Source}); visible inside, read-only: {plan.ClaudeBind.HostPath}");
        output.Flush();
    }

    /// <summary>A name the sandbox chose, with control characters shown as \xNN: it must not drive the user's terminal or forge a line.</summary>
    internal static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));

    private void Line(string label, string text) => output.WriteLine($"  {label,-9} {text}");

    /// <summary>The work dir's real path, or <see cref="LaunchRefusedException"/> naming the reserved path it would expose.</summary>
    public static string CheckWorkDirectory(string workDirectory, ReservedPaths reserved)
    {
        if (string.IsNullOrWhiteSpace(workDirectory)) throw new LaunchRefusedException("the work dir is empty");
        var work = RealPath.Of(workDirectory);
        if (!Directory.Exists(work))
            throw new LaunchRefusedException($"the work dir '{workDirectory}' does not exist or is not a folder");
        if (reserved.WritableFolderConflict(work) is { } conflict)
            throw new LaunchRefusedException(conflict.Describe("work dir") + "; the sandboxed Claude Code could read and change it. Use a project folder of its own.");
        return work;
    }

    /// <summary>--sandbox-home gets the work dir's rules; the default (in the cache, chosen here) only has to stay apart from the rest.</summary>
    private static string CheckSandboxHome(string? requested, string defaultHome, string work, string claude, ReservedPaths reserved)
    {
        var home = RealPath.Of(requested ?? defaultHome);
        if (requested is not null && reserved.WritableFolderConflict(home) is { } conflict)
            throw new LaunchRefusedException(conflict.Describe("sandbox HOME") + "; the sandboxed Claude Code could read and change it. Use a folder of its own.");
        if (RealPath.Overlap(home, work))
            throw new LaunchRefusedException($"the sandbox HOME '{home}' and the work dir '{work}' must be separate folders");
        if (RealPath.Overlap(home, claude))
            throw new LaunchRefusedException($"the sandbox HOME '{home}' and the Claude Code files {claude} overlap; the sandbox could change the binary");
        if (File.Exists(home)) throw new LaunchRefusedException($"the sandbox HOME '{home}' is a file");
        return home;
    }

    /// <summary>
    /// --claude may lie anywhere the sandbox may see read-only: not in a reserved folder (HOME's Claude Code config, the
    /// repo, another checkout), except the cache's own Claude Code install and the system folders the sandbox shows anyway.
    /// </summary>
    private void CheckClaude(string requested, ClaudeCodeBind bind, ReservedPaths reserved)
    {
        if (RealPath.IsSameOrInside(bind.HostPath, RealPath.Of(context.Home.ClaudeCode))) return;
        if (ReservedPaths.VisibleInEverySandbox.Any(v => RealPath.IsSameOrInside(bind.HostPath, RealPath.Of(v)))) return;
        if (reserved.Conflict(bind.HostPath) is { } conflict)
            throw new LaunchRefusedException($"--claude '{requested}': {conflict.Describe(bind.IsFile ? "Claude Code file" : "Claude Code package")}; the sandbox must not see it");
    }
}
