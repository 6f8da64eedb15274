using LocalClaude.Infrastructure;
using Xunit;

namespace LocalClaude.Tests.Support;

/// <summary>
/// A part the test needs (llama-server, Claude Code, bwrap, Chromium) is not there: on a user's machine the test
/// is skipped and says why; in CI (CI=true) it fails, because CI must have every part.
/// </summary>
public static class MissingPart
{
    public static void Report(string reason)
    {
        var message = $"{reason} (run 'tools/localclaude setup')";
        if (RunEnvironment.IsCi) Assert.Fail($"CI=true and a required part is missing: {message}");
        Assert.Skip(message);
    }

    public static void Require(bool present, string reason)
    {
        if (!present) Report(reason);
    }
}
