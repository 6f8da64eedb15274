using LocalClaude.Profiles;

namespace LocalClaude.Terminal;

/// <summary>The environment that points the real Claude Code at a local Anthropic-compatible server.</summary>
public static class ClaudeCodeEnvironment
{
    /// <summary>As in the integration plan: local URL and token, no API key, the profile for every model slot, no non-essential traffic.</summary>
    public static IReadOnlyDictionary<string, string> ForLocalBackend(Uri baseUrl, string modelName, string authToken)
    {
        var url = baseUrl.ToString().TrimEnd('/');
        return new Dictionary<string, string>
        {
            ["ANTHROPIC_BASE_URL"] = url,
            ["ANTHROPIC_AUTH_TOKEN"] = authToken,
            // Empty on purpose: a key from the user's shell must not win over the local token.
            ["ANTHROPIC_API_KEY"] = "",
            ["ANTHROPIC_MODEL"] = modelName,
            ["ANTHROPIC_SMALL_FAST_MODEL"] = modelName,
            ["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = modelName,
            ["ANTHROPIC_DEFAULT_SONNET_MODEL"] = modelName,
            ["ANTHROPIC_DEFAULT_OPUS_MODEL"] = modelName,
            ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
            ["DISABLE_AUTOUPDATER"] = "1",
            ["CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL"] = "1",
        };
    }

    /// <summary>
    /// For a profile: also the output cap (a request's max_tokens is not capped by llama-server's -n, so Claude Code must
    /// ask for less) and the context per slot (CTX/NP), so Claude Code does not assume a 1M-token window.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ForLocalBackend(Uri baseUrl, ModelProfile profile)
    {
        var environment = new Dictionary<string, string>(ForLocalBackend(baseUrl, profile.ServedModelName, profile.ApiKey))
        {
            ["CLAUDE_CODE_MAX_CONTEXT_TOKENS"] = (profile.ContextSize / profile.ParallelSlots).ToString(),
        };
        if (profile.MaxOutputTokens is { } cap) environment["CLAUDE_CODE_MAX_OUTPUT_TOKENS"] = cap.ToString();
        return environment;
    }

    /// <summary>The block a user pastes into a shell.</summary>
    public static string ShellExports(IReadOnlyDictionary<string, string> environment) =>
        string.Join('\n', environment.Select(kv => $"export {kv.Key}={Infrastructure.ExternalCommand.Quote(kv.Value)}"));
}
