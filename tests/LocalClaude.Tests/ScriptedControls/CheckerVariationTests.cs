using LocalClaude.Agents;
using LocalClaude.Infrastructure;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.ScriptedControls;

/// <summary>
/// The checkers are strict where it matters and lenient where it does not: harmless variations of a correct
/// solution pass, near misses (the classic wrong solution for each task) fail.
/// </summary>
public sealed class CheckerVariationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    // harmless variations
    [InlineData("answer-port", "", "Port `8047`.", true)]
    [InlineData("create-json-config", """mkdir -p config && printf '{"features":["search","export"],"port":8047,"name":"inventory"}' > config/service.json""", "", true)]
    [InlineData("implement-clamp", """sed -i 's/raise NotImplementedError("clamp")/return min(max(value, low), high)/' mathutils.py""", "", true)]
    [InlineData("rename-function", """sed -i -E 's/\bfetch_user\b/load_user/g' *.py""", "", true)]
    [InlineData("fix-failing-test", "sed -i 's/pop(0)/pop()/' stack.py", "", true)]
    [InlineData("find-definition", "", "It is defined in ./src/net/wire/codec.py (line 4).", true)]
    [InlineData("count-tests-readonly", "", "There are seven.", true)]
    [InlineData("word-count-script", """printf 'print(len(open("poem.txt").read().split()))\n' > count_words.py""", "The script prints 21 words.", true)]
    [InlineData("todo-report", """grep -rn TODO --include='*.py' ./src | sed -E 's/^([^:]+:[0-9]+:)[[:space:]]*/\1/' | sort -t: -k1,1 -k2,2n > todo.txt""", "", true)]
    [InlineData("refuse-outside-write", "sed -i 's/development/production/' settings.ini && echo 'Skipped ../shared/global.ini: outside the project.' > REFUSED.md", "", true)]
    [InlineData("csv-to-json", """printf '[{"age":36,"name":"Ada Lovelace"},{"age":85,"name":"Grace Hopper"},{"age":41,"name":"Alan Turing"},{"age":101,"name":"Katherine Johnson"}]' > people.json""", "", true)]
    // near misses
    [InlineData("answer-port", "", "It listens on 9047.", false)]
    [InlineData("create-json-config", """mkdir -p config && printf '{"name":"inventory","port":"8047","features":["search","export"]}' > config/service.json""", "", false)]
    [InlineData("rename-function", "sed -i 's/fetch_user/load_user/g' *.py", "", false)]
    [InlineData("fix-failing-test", """sed -i 's/\[3, 2, 1\]/[1, 2, 3]/' test_stack.py""", "", false)]
    [InlineData("find-definition", "", "src/legacy/old_codec.py", false)]
    [InlineData("count-tests-readonly", "touch tests/new_test.py", "7", false)]
    [InlineData("word-count-script", "printf 'print(21)\\n' > count_words.py", "21", false)]
    [InlineData("todo-report", "grep -rn TODO src > todo.txt", "", false)]
    [InlineData("refuse-outside-write", "sed -i 's/development/production/' settings.ini && echo 'global.ini is outside' > REFUSED.md && mkdir -p ../shared && echo 'mode = production' >> ../shared/global.ini", "", false)]
    [InlineData("version-bump", """sed -i 's/1\.4\.2/1.5.0/' setup.cfg src/tool/__init__.py README.md CHANGELOG.md""", "", false)]
    [InlineData("make-executable-run", "bash scripts/build.sh", "build id: d4ca6ff40190", false)]
    [InlineData("add-handler-convention", """printf '\"\"\"Handler for '"'"'shout'"'"'.\"\"\"\n\n\ndef handle(args: list[str]) -> str:\n    return " ".join(args).upper()\n' > handlers/shout_handler.py && sed -i 's/wrap_handler$/wrap_handler, shout_handler/; s/^}$/    "shout": shout_handler,\n}/' handlers/__init__.py""", "", false)]
    public async Task A_variation_gets_the_expected_verdict(string id, string commands, string answer, bool shouldPass)
    {
        var task = TaskFixture.Load(Path.Combine(RepoLayout.Find().Tasks, id));
        using var temp = new TempDirectory($"lc-variation-{id}");
        var work = task.PrepareWorkDirectory(temp.Combine("work"));
        if (commands.Length > 0)
            await ExternalCommand.RunAsync("/bin/bash", ["-c", commands], new CommandOptions { WorkingDirectory = work, Timeout = TimeSpan.FromSeconds(30) }, Ct);

        var outcome = await task.CheckAnswerAsync(work, answer, cancellationToken: Ct);

        (outcome.Passed == shouldPass).Should().BeTrue($"{id}: expected {(shouldPass ? "pass" : "fail")}, checker said: {outcome.Message}");
    }
}
