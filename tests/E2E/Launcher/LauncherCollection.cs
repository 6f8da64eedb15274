namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>Launcher tests run one at a time and alone: they share one CLI build, and a launch wants both CI cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LauncherCollection
{
    public const string Name = "launcher";
}
