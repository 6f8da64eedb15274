using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;

namespace LocalClaude.Tests.HouseRules;

/// <summary>
/// Rules every test source keeps: parts are found where 'setup' installs them, never at a path of one developer's
/// machine, and a missing part fails in CI instead of skipping silently.
/// </summary>
public sealed partial class TestSourceRulesTests
{
    private static readonly string Repo = RepoLayout.Find(AppContext.BaseDirectory).Root;

    /// <summary>
    /// Test files whose subject is a machine path as data (scrubbed from or filled into a request body), never a file
    /// they touch, and why. Elsewhere a literal two folders deep under these roots is a path of one machine only.
    /// </summary>
    private static readonly Dictionary<string, string> PathsAsData = new()
    {
        ["PlaceholderTests.cs"] = "scrubs a user's HOME and work dir out of recorded bodies and fills them back in",
        ["ControlScriptTests.cs"] = "reads the work dir that Claude Code names inside its prompt",
        ["ReservedPathsTests.cs"] = "the reserved-paths rule judged on path names",
        ["GateRunTests.cs"] = "build paths handed to a scripted producer, which runs nothing",
        [nameof(TestSourceRulesTests) + ".cs"] = "this rule's own examples",
    };

    [Fact]
    public void No_test_reads_a_hard_coded_scratch_path()
    {
        var found = new List<string>();
        foreach (var (file, line, literal) in MachinePathLiterals())
        {
            if (PathsAsData.ContainsKey(Path.GetFileName(file))) continue;
            found.Add($"{Path.GetRelativePath(Repo, file)}:{line}: \"{literal}\"");
        }
        (found.Count == 0).Should().BeTrue("tests must find parts through the cache or a temp folder of their own, not at a fixed machine path:\n" + string.Join('\n', found));
    }

    [Fact]
    public void The_rule_finds_a_scratch_path_and_ignores_scripts_for_inside_the_sandbox()
    {
        var source = string.Join('\n',
            "var a = \"/tmp/scratch/cc/node_modules/.bin/claude\";",
            "var s = \"\"\"",
            "  echo > /tmp/inside/x",
            "  \"\"\";",
            "var b = \"relative/tmp/x/y\"; var c = \"/tmp\"; var d = \"/tmp/x.json\";");
        Literals(source).Select(l => l.Literal).Should().Equal(["/tmp/scratch/cc/node_modules/.bin/claude"]);
    }

    [Fact]
    public void Tests_skip_only_through_MissingPart_or_with_a_reason_that_is_no_missing_part()
    {
        var bare = new List<string>();
        foreach (var file in TestSources())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
                if (lines[i].Contains("Assert.Skip(", StringComparison.Ordinal) && MissingPartWords().IsMatch(lines[i])
                    && !PathsAsData.ContainsKey(Path.GetFileName(file)) && !file.EndsWith("MissingPart.cs", StringComparison.Ordinal))
                    bare.Add($"{Path.GetRelativePath(Repo, file)}:{i + 1}: {lines[i].Trim()}");
        }
        (bare.Count == 0).Should().BeTrue("a missing part must go through MissingPart (fails when CI=true):\n" + string.Join('\n', bare));
    }

    private static IEnumerable<string> TestSources() =>
        Directory.EnumerateFiles(Path.Combine(Repo, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static IEnumerable<(string File, int Line, string Literal)> MachinePathLiterals() =>
        TestSources().SelectMany(file => Literals(File.ReadAllText(file)).Select(l => (file, l.Line, l.Literal)));

    /// <summary>Regular (non-raw) string literals that start at a machine root; raw strings are scripts run inside a sandbox.</summary>
    private static IEnumerable<(int Line, string Literal)> Literals(string source)
    {
        var line = 1;
        var inRaw = false;
        foreach (var text in source.Split('\n'))
        {
            var rawMarks = RawQuotes().Matches(text).Count;
            if (!inRaw)
            {
                var plain = rawMarks > 0 ? text[..text.IndexOf("\"\"\"", StringComparison.Ordinal)] : text;
                foreach (Match m in MachinePath().Matches(plain)) yield return (line, m.Groups[1].Value);
            }
            if (rawMarks % 2 == 1) inRaw = !inRaw;
            line++;
        }
    }

    // A root, then at least two folders: "/tmp" or "/tmp/x.json" alone are names, not somebody's scratch folder.
    [GeneratedRegex("\"((?:/tmp|/var/tmp|/root|/home|/work|/mnt|/srv|/scratch|/opt)/(?:[^\"\\\\/]|\\\\.)+/(?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex MachinePath();

    [GeneratedRegex("\"\"\"")]
    private static partial Regex RawQuotes();

    [GeneratedRegex("not installed|not found|missing|not built|not provisioned", RegexOptions.IgnoreCase)]
    private static partial Regex MissingPartWords();
}
