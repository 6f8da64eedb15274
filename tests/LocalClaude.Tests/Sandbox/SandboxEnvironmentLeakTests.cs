using LocalClaude.Sandbox;

namespace LocalClaude.Tests.Sandbox;

/// <summary>Runs alone: it puts canaries into this process's environment, which other tests must never see.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SandboxEnvironmentLeakCollection
{
    public const string Name = "Sandbox environment leak (runs alone)";
}

[Collection(SandboxEnvironmentLeakCollection.Name)]
public sealed class SandboxEnvironmentLeakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Host_environment_does_not_leak_in()
    {
        var probe = await SandboxTestEnvironment.ProbeAsync();
        SandboxTestEnvironment.Require(probe);
        var apiKey = "sk-ant-canary-" + Guid.NewGuid().ToString("N");
        var canaryName = "LOCALCLAUDE_CANARY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var canaryValue = "canary-" + Guid.NewGuid().ToString("N");
        var previousKey = Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY");
        using var scratch = new HostLayout();
        await using var server = ReachabilityListener.Start(System.Net.IPAddress.Loopback);
        Environment.SetEnvironmentVariable("ANTHROPIC_API_KEY", apiKey);
        Environment.SetEnvironmentVariable(canaryName, canaryValue);
        try
        {
            await using var session = await new BwrapSandbox().StartAsync(new SandboxSpec
            {
                WorkDirectory = scratch.Work,
                HomeDirectory = scratch.Home,
                ModelServerPort = server.Port,
                Environment = new Dictionary<string, string> { ["ANTHROPIC_AUTH_TOKEN"] = "llamacpp" },
            }, TestContext.Current.CancellationToken);
            var argv = string.Join(' ', session.BuildCommandLine("/bin/true", []));
            var result = await session.RunShellAsync("""
                env
                for p in /proc/[0-9]*; do echo "== $p"; tr '\0' '\n' < $p/environ; tr '\0' ' ' < $p/cmdline; echo; done
                """, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            var text = result.StandardOutput + result.StandardError;
            output.WriteLine(text);

            result.ExitCode.Should().Be(0);
            text.Should().Contain("ANTHROPIC_AUTH_TOKEN=llamacpp");
            text.Should().Contain($"HOME={SandboxSpec.HomeInside}\n");
            var hostHome = $"HOME={Environment.GetEnvironmentVariable("HOME")}\n";
            foreach (var leaked in new[] { apiKey, canaryName, canaryValue, "ANTHROPIC_API_KEY", "DOTNET_", hostHome })
            {
                text.Should().NotContain(leaked);
                argv.Should().NotContain(leaked);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("ANTHROPIC_API_KEY", previousKey);
            Environment.SetEnvironmentVariable(canaryName, null);
        }
    }
}
