using LocalClaude.Reporting;
using LocalClaude.Results;

namespace LocalClaude.E2E.Tests.Report;

/// <summary>
/// One night's result files for the three CPU profiles, shaped like the conformance, replay and E2E producers write
/// them (the numbers are those seen with the tiny model on two cores). <paramref name="night"/> varies them so the
/// history has something to trend.
/// </summary>
internal static class SampleNight
{
    public static readonly string[] Profiles = ["cpu-tiny", "cpu-tiny-np2", "cpu-tiny-thinking"];

    public static IEnumerable<ResultFile> Files(DateTimeOffset startedAt, int night)
    {
        foreach (var profile in Profiles)
        {
            var run = Run(profile, startedAt);
            yield return new ResultFile { Kind = "conformance", Run = run, Checks = Checks(profile, night), Metrics = Metrics(profile, night) };
            yield return new ResultFile
            {
                Kind = "replay",
                Run = run,
                Checks =
                [
                    Check("session.fix-typo", "replay", "Recorded session: fix a typo", CheckOutcome.Pass, "every request answered 200 with a valid stream"),
                    Check("session.add-test", "replay", "Recorded session: add a test",
                        profile == "cpu-tiny-np2" && night > 0 ? CheckOutcome.Fail : CheckOutcome.Pass,
                        profile == "cpu-tiny-np2" && night > 0 ? "request 3: 400 exceed_context_size_error (each slot gets CTX/2)" : "every request answered 200"),
                ],
                Requests = Session("session.fix-typo", 4, night).Concat(Session("session.add-test", 3, night)).ToList(),
            };
            yield return new ResultFile
            {
                Kind = "e2e",
                Run = run with { ClaudeCodeVersion = "2.1.3" },
                Trials = Tasks(profile).ToList(),
            };
        }
    }

    private static RunInfo Run(string profile, DateTimeOffset startedAt) => new()
    {
        Profile = profile,
        ProfileDescription = $"{profile}: generated tiny model on 2 CPU cores",
        Server = new ServerInfo
        {
            Version = "0.5.0-dev (build 1, commit de3ff81)",
            Commit = "de3ff81",
            Build = "v0.5.0-de3ff81-cpu",
            Arguments = ["-m", "default.gguf", "-c", profile == "cpu-tiny-np2" ? "65536" : "32768", "-np", profile == "cpu-tiny-np2" ? "2" : "1", "--jinja"],
            Tools = true,
            Thinking = profile == "cpu-tiny-thinking",
            Synthetic = true,
        },
        ClaudeCodeVersion = "2.1.3",
        StartedAt = startedAt,
        DurationSeconds = 312,
        Machine = $"ci-{profile}",
        Command = $"tools/localclaude report --profiles {profile}",
        SuiteCommit = "6b5a37f",
    };

    private static List<CheckResult> Checks(string profile, int night)
    {
        var thinking = profile == "cpu-tiny-thinking";
        return
        [
            Check("streaming.event-order", "streaming", "Events arrive in Anthropic's order", CheckOutcome.Pass, "message_start … message_stop in order",
                new Evidence { Request = """{"model":"x","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", Response = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n…", Status = 200 }),
            Check("streaming.ping", "streaming", "Ping events", CheckOutcome.KnownDeviation, "llama-server sends no ping events; Claude Code does not need them"),
            Check("streaming.block-overlap", "streaming", "A block stops before the next starts",
                thinking ? CheckOutcome.KnownDeviation : CheckOutcome.Pass,
                thinking ? "block 1 starts before block 0 stops (thinking then text)" : "blocks never overlap",
                thinking ? new Evidence { Response = "content_block_start(thinking,0) … content_block_start(text,1) … content_block_stop(0)", Route = "Qwen3.5 template opens <think>" } : null),
            Check("tools.tool-use-block", "tools", "A tool call comes back as a tool_use block", CheckOutcome.Pass, "tool_use block with parsed input",
                new Evidence { Route = "prefill <tool_call>{…}</tool_call> + stop sequence on random weights", Note = "tool ids have no toolu_ prefix" }),
            Check("tools.tool-choice-tool", "tools", "tool_choice names one tool", CheckOutcome.KnownDeviation, "tool_choice tool becomes 'required': the tool name is lost"),
            Check("thinking.blocks", "thinking", "Thinking blocks stream with signature_delta",
                thinking ? (night > 0 ? CheckOutcome.Fail : CheckOutcome.Pass) : CheckOutcome.NotApplicable,
                thinking ? (night > 0 ? "no thinking block in 3 of 3 streams <think> & </think> seen in text" : "thinking block then text block") : "profile has THINKING = no"),
            Check("errors.envelope", "errors", "Errors use Anthropic's envelope", CheckOutcome.KnownDeviation, "OpenAI-shaped {\"error\":{\"code\",\"message\",\"type\"}}",
                new Evidence { Request = "{not json", Response = """{"error":{"code":500,"message":"parse error","type":"server_error"}}""", Status = 500 }),
            Check("errors.context-overflow", "errors", "A prompt over the context is a 400", CheckOutcome.Pass, "400 exceed_context_size_error"),
            Check("tokens.count-tokens", "tokens", "count_tokens answers", CheckOutcome.Pass, "input_tokens matches the usage of a real request"),
            Check("long-prompt.cache", "long-prompt", "A repeated long prompt is served from the cache",
                profile == "cpu-tiny-np2" ? CheckOutcome.Fail : CheckOutcome.Pass,
                profile == "cpu-tiny-np2" ? "16.5k-token prompt rejected: each of the 2 slots has 32768 tokens / 2" : "cache_read_input_tokens 16549 on the second request"),
        ];
    }

    private static Dictionary<string, double> Metrics(string profile, int night)
    {
        var slower = 1 + 0.04 * night;
        var metrics = new Dictionary<string, double>
        {
            [ReportMetrics.DecodeTokensPerSecond.Name] = Math.Round(22.08 / slower, 2),
            [ReportMetrics.PrefillTokensPerSecond.Name] = 1110.25,
            [ReportMetrics.DecodeTimeToFirstToken.Name] = 0.47,
            [ReportMetrics.BillingHeaderCacheShare.Name] = 0.9998,
            // The concurrency check starts its own NP=1 and NP=2 servers: the title call queues behind the main one on NP=1.
            [ReportMetrics.MainAlone(1).Name] = 1.01,
            [ReportMetrics.MainBesideTitle(1).Name] = 3.70,
            [ReportMetrics.Title(1).Name] = 0.28,
            [ReportMetrics.MainWait(1).Name] = 2.69,
            [ReportMetrics.MainAlone(2).Name] = 2.30,
            [ReportMetrics.MainBesideTitle(2).Name] = 2.22,
            [ReportMetrics.Title(2).Name] = 2.19,
            [ReportMetrics.MainWait(2).Name] = 0,
            ["tokens.count_tokens"] = 347,
        };
        if (profile != "cpu-tiny-np2")
        {
            metrics[ReportMetrics.LongPromptTtfbCold.Name] = Math.Round(21.92 * slower, 3);
            metrics[ReportMetrics.LongPromptTtfbWarm.Name] = 0.1333;
            metrics[ReportMetrics.LongPromptTokens.Name] = 24335;
            metrics[ReportMetrics.LongPromptCacheReadTokens.Name] = 24334;
        }
        return metrics;
    }

    private static IEnumerable<ReplayedRequest> Session(string fixture, int turns, int night)
    {
        var prompt = 3000;
        for (var i = 0; i < turns; i++)
        {
            var cached = i == 0 ? 0 : prompt - 200 - 300 * night;
            yield return new ReplayedRequest
            {
                Fixture = fixture,
                Index = i,
                Path = "/v1/messages",
                Purpose = i == 0 ? "title" : "main",
                Status = 200,
                TimeToFirstByteSeconds = i == 0 ? 0.4 : 0.05 + 0.01 * i,
                TotalSeconds = 2,
                InputTokens = prompt - cached,
                OutputTokens = 64,
                CacheReadTokens = cached,
                CacheShare = i == 0 ? null : (double)cached / prompt,
            };
            prompt += 800;
        }
    }

    private static IEnumerable<TaskTrial> Tasks(string profile)
    {
        // Random weights follow no instruction: the tasks fail; the oracle control passes and must not show up.
        string[] tasks = ["fix-off-by-one", "rename-symbol", "add-unit-test"];
        foreach (var task in tasks)
            for (var trial = 1; trial <= 3; trial++)
            {
                var passed = profile == "cpu-tiny-thinking" && task == "rename-symbol" && trial == 2;
                yield return new TaskTrial
                {
                    Task = task,
                    Category = task == "add-unit-test" ? "test" : "edit",
                    Trial = trial,
                    Passed = passed,
                    FailureKind = passed ? null : trial == 3 ? "timeout" : "no-tool-call",
                    WallSeconds = 30 + trial * 7 + task.Length,
                    Turns = 2,
                };
            }
        yield return new TaskTrial { Task = "fix-off-by-one", Category = "edit", Trial = 1, Passed = true, WallSeconds = 3, Control = "oracle" };
    }

    private static CheckResult Check(string id, string area, string title, CheckOutcome outcome, string reason, Evidence? evidence = null) => new()
    {
        Id = id,
        Area = area,
        Title = title,
        Outcome = outcome,
        Reason = reason,
        Evidence = evidence,
        DurationSeconds = 0.8,
    };
}
