using LocalClaude.Provisioning;

namespace LocalClaude.Reporting;

/// <summary>
/// Sets <see cref="LlamaServerRegistry.OverrideVariable"/> for one run and restores the previous value.
/// Process-wide on purpose: producers that start servers in child processes must see it too; runs are sequential.
/// </summary>
public sealed class LlamaServerOverrideScope : IDisposable
{
    private readonly string? _previous;
    private readonly bool _active;

    public LlamaServerOverrideScope(LlamaServerOverride? server)
    {
        if (server is null) return;
        _active = true;
        _previous = Environment.GetEnvironmentVariable(LlamaServerRegistry.OverrideVariable);
        Environment.SetEnvironmentVariable(LlamaServerRegistry.OverrideVariable, server.Binary);
    }

    public void Dispose()
    {
        if (_active) Environment.SetEnvironmentVariable(LlamaServerRegistry.OverrideVariable, _previous);
    }
}
