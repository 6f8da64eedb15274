using System.Text.RegularExpressions;
using LocalClaude.Results;
using LocalClaude.Tests.Support;
using LocalClaude.Traffic;

namespace LocalClaude.Conformance.Tests.Traffic;

/// <summary>
/// A fixture whose credential the recorder redacted (any credential that was not its own token) replays with the
/// profile's key: the profile's llama-server requires that key, so sending none would get 401 and blame the server.
/// </summary>
[Collection(ProfileServerCollection.Name)]
public sealed partial class RedactedCredentialReplayTests(LlamaServerFixture server)
{
    [Fact]
    public async Task A_fixture_with_a_redacted_credential_is_accepted_by_a_server_that_requires_a_key()
    {
        using var scratch = new TempDirectory();
        var copy = scratch.Combine("headless-greeting");
        CopyRedacted(Path.Combine(TrafficReplay.Root, "headless-greeting"), copy);
        var fixture = TrafficFixture.Load(copy);
        Assert.All(fixture.Exchanges.Select(e => e.Request.Headers["authorization"]), value => value.Should().Be(Placeholders.Redacted));

        var replay = await new Replayer(TrafficReplay.Target(server)).ReplayAsync(fixture, TestContext.Current.CancellationToken);
        var check = ReplayReport.Check(replay, KnownFindings.Load(TrafficReplay.Root));

        replay.Exchanges.Select(e => (int)e.Answer.Status).Should().NotContain(401);
        (check.Outcome != CheckOutcome.Fail).Should().BeTrue($"{check.Reason}\n{TrafficReplay.Table(replay)}");
    }

    /// <summary>The committed fixture with every authorization header as the recorder writes a foreign credential.</summary>
    private static void CopyRedacted(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var text = File.ReadAllText(file);
            File.WriteAllText(target, file.EndsWith(".request.json", StringComparison.Ordinal)
                ? AuthorizationHeader().Replace(text, $"\"authorization\": \"{Placeholders.Redacted}\"")
                : text);
        }
    }

    [GeneratedRegex("\"authorization\": \"[^\"]*\"")]
    private static partial Regex AuthorizationHeader();
}
