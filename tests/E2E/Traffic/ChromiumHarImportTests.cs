using LocalClaude.Results;
using LocalClaude.Tests.Support;
using LocalClaude.Traffic;
using Microsoft.Playwright;

namespace LocalClaude.E2E.Tests.Traffic;

/// <summary>
/// <c>record import</c> on an archive written by a real exporter: Chromium (through Playwright's HAR recorder) sends
/// Messages API calls, streamed and not, to the profile's real llama-server; the archive imports as a fixture that
/// replays cleanly against the same server, with the browser's credential scrubbed.
/// </summary>
public sealed class ChromiumHarImportTests(LlamaServerFixture server) : IClassFixture<LlamaServerFixture>
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task An_archive_chromium_wrote_imports_and_replays_against_the_real_server()
    {
        var baseUrl = server.RequireServer();
        MissingPart.Require(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium");
        var ct = TestContext.Current.CancellationToken;
        using var scratch = new TempDirectory();
        var har = scratch.Combine("chromium.har");

        using (var playwright = await Playwright.CreateAsync())
        {
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Timeout = 60_000,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { RecordHarPath = har, RecordHarContent = HarContentPolicy.Embed });
            var page = await context.NewPageAsync();
            // Same origin as the API, so the calls need no CORS preflight.
            await page.GotoAsync(new Uri(baseUrl, "/health").ToString());
            var statuses = await page.EvaluateAsync<int[]>("""
                async ([key, model]) => {
                  const headers = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': key };
                  const ask = (extra) => JSON.stringify({ model, max_tokens: 8, messages: [{ role: 'user', content: 'Say hi.' }], ...extra });
                  const statuses = [];
                  for (const [path, body] of [['/v1/messages', ask({ stream: true })], ['/v1/messages', ask({})], ['/v1/messages/count_tokens', ask({})]]) {
                    const answer = await fetch(path, { method: 'POST', headers, body });
                    await answer.text();
                    statuses.push(answer.status);
                  }
                  return statuses;
                }
                """, new object[] { server.ApiKey, server.Profile.ServedModelName });
            Assert.Equal([200, 200, 200], statuses);
            await context.CloseAsync();
        }

        var imported = HarImport.Import(har, scratch.Combine("fixture"), "chromium-har", null);
        var fixture = TrafficFixture.Load(scratch.Combine("fixture"));

        fixture.Exchanges.Select(e => e.Purpose).Should().Equal([RequestPurpose.Background, RequestPurpose.Background, RequestPurpose.CountTokens]);
        imported.Skipped.Should().Contain(s => s.Contains("/health", StringComparison.Ordinal));
        System.Text.Encoding.UTF8.GetString(fixture.Exchanges[0].ResponseBody).TrimStart().Should().StartWith("event: message_start");
        // The profile's key is an ordinary word ("localclaude"), so look for it where a credential would sit.
        Assert.All(fixture.Exchanges, e => e.Request.Headers["x-api-key"].Should().Be(Placeholders.Redacted));
        Assert.All(fixture.Exchanges.SelectMany(e => e.Request.Headers.Values), value => value.Should().NotContain(server.ApiKey));

        var replay = await new Replayer(new ReplayTarget(baseUrl, server.ApiKey, server.Profile.Name, MaxOutputTokens: 8)).ReplayAsync(fixture, ct);
        var check = ReplayReport.Check(replay, KnownFindings.None);
        replay.Exchanges.Select(e => (int)e.Answer.Status).Should().Equal([200, 200, 200]);
        (check.Outcome != CheckOutcome.Fail).Should().BeTrue(check.Reason);
    }
}
