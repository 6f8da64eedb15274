namespace LocalClaude.ScriptedControls;

/// <summary>The behaviour of a <see cref="ScriptedAnthropicServer"/>: one reply per messages request.</summary>
public interface IControlScript
{
    /// <summary>Short name for logs and results ("oracle", "no-op", "tool-round").</summary>
    string Name { get; }

    ScriptedReply Reply(ScriptedRequest request);
}

/// <summary>A script given as a function, for one-off controls in tests.</summary>
public sealed class DelegateControlScript(string name, Func<ScriptedRequest, ScriptedReply> reply) : IControlScript
{
    public string Name { get; } = name;

    public ScriptedReply Reply(ScriptedRequest request) => reply(request);
}
