using System.Runtime.CompilerServices;
using LocalClaude.Infrastructure;

namespace LocalClaude.Conformance.Tests.Snapshots;

/// <summary>
/// Snapshooter writes a missing snapshot and passes unless SNAPSHOOTER_STRICT_MODE=true. Wherever CI runs
/// (<c>CI=true dotnet test</c> as much as <c>tools/localclaude test</c>), a missing snapshot must fail instead.
/// </summary>
internal static class StrictSnapshotsInCi
{
    public const string Variable = "SNAPSHOOTER_STRICT_MODE";

    [ModuleInitializer]
    internal static void TurnOn()
    {
        // Snapshooter reads only the process environment; a test module has no Main to pass it through.
        if (RunEnvironment.IsCi) Environment.SetEnvironmentVariable(Variable, "true");
    }
}
