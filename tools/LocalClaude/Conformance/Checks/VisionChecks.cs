using System.Text.Json.Nodes;
using static LocalClaude.Client.RequestBodies;

namespace LocalClaude.Conformance.Checks;

/// <summary>Images: answered where the profile has vision, a clear client error where it does not.</summary>
internal static class VisionChecks
{
    public const string Area = "vision";

    public static IEnumerable<ConformanceCheck> All =>
    [
        new("vision.image", Area, "An image in a user message: answered on a vision profile, a clear 4xx error elsewhere", Image),
    ];

    private static async Task<CheckVerdict> Image(CheckContext c, CancellationToken ct)
    {
        var body = Greedy(c.Model, maxTokens: 16);
        body["messages"] = new JsonArray(new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(ImageBlock(), new JsonObject { ["type"] = "text", ["text"] = "What colour is this pixel?" }),
        });
        return JudgeImageAnswer(c, await c.PostAsync(body, ct));
    }

    /// <summary>Shared by the tool_result image check: what an image must get, with and without vision.</summary>
    public static CheckVerdict JudgeImageAnswer(CheckContext c, CheckedExchange x)
    {
        if (c.Capabilities.Vision)
            return x.Ok ? CheckVerdict.Pass("the image was answered").JudgedBy(x) : CheckVerdict.Fail($"vision profile answered HTTP {x.Status}").With(x);
        if (x.Ok) return CheckVerdict.Fail("a text-only profile answered 200: the image was silently dropped").JudgedBy(x);
        var message = x.Error?.ErrorMessage ?? "";
        if (x.Status is >= 400 and < 500) return CheckVerdict.Pass($"HTTP {x.Status}: {message}").JudgedBy(x);
        return CheckVerdict.Deviation($"refused, but with HTTP {x.Status} (a server error, which clients retry) instead of a 4xx: {message}").JudgedBy(x);
    }
}
