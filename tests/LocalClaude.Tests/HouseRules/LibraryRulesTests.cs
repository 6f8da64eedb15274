using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;

namespace LocalClaude.Tests.HouseRules;

/// <summary>
/// Rules the library keeps: a type's simple name says which one it is (unique in the library), and parameters go
/// through parameters, never through the process environment (only a command's Main may set a variable).
/// </summary>
public sealed partial class LibraryRulesTests
{
    private static readonly string Repo = RepoLayout.Find(AppContext.BaseDirectory).Root;

    [Fact]
    public void Every_type_name_is_unique_in_the_library()
    {
        var duplicates = Duplicates(typeof(LocalClaudeContext).Assembly.GetTypes());
        (duplicates.Count == 0).Should().BeTrue("type names used twice in tools/LocalClaude:\n" + string.Join('\n', duplicates));
    }

    [Fact]
    public void The_name_rule_finds_two_types_of_one_name_and_ignores_compiler_generated_ones()
    {
        var sample = typeof(LibraryRulesTests).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("LocalClaude.Tests.HouseRules.CycleSample.", StringComparison.Ordinal) == true);
        Duplicates(sample).Should().Equal(["Target: LocalClaude.Tests.HouseRules.CycleSample.Left.Target, LocalClaude.Tests.HouseRules.CycleSample.Right.Target"]);
    }

    [Fact]
    public void No_source_sets_a_process_environment_variable_outside_a_commands_Main()
    {
        var library = Path.Combine(Repo, "tools", "LocalClaude");
        var cli = Path.Combine(Repo, "tools", "LocalClaude.Cli");
        var found = Sources(library).Concat(Sources(cli).Where(f => Path.GetFileName(f) != "Program.cs"))
            .SelectMany(file => SetsVariable(File.ReadAllText(file)).Select(line => $"{Path.GetRelativePath(Repo, file)}:{line}"))
            .ToList();
        (found.Count == 0).Should().BeTrue("pass values to a child through its own process options (GuardedProcessOptions.Environment, CliWrap's WithEnvironmentVariables) " +
            "or through the launch description, not by setting the process environment:\n" + string.Join('\n', found));
    }

    [Fact]
    public void The_environment_rule_finds_a_call_and_ignores_comments()
    {
        const string source = """
            // Environment.SetEnvironmentVariable("A", "1") would leak into every later child
            var x = 1;
            System.Environment.SetEnvironmentVariable("B", "2");
              Environment . SetEnvironmentVariable ("C", null);
            """;
        SetsVariable(source).Should().Equal([3, 4]);
    }

    private static List<string> Duplicates(IEnumerable<Type> types) =>
        types.Where(t => !t.Name.Contains('<') && t.GetCustomAttribute<CompilerGeneratedAttribute>() is null && !t.IsNested)
            .GroupBy(t => t.Name)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(t => t.FullName).Order(StringComparer.Ordinal))}")
            .Order(StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<string> Sources(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    /// <summary>1-based lines that call SetEnvironmentVariable outside a line comment.</summary>
    private static IEnumerable<int> SetsVariable(string source) =>
        source.Split('\n')
            .Select((text, i) => (Code: text.Split("//")[0], Line: i + 1))
            .Where(l => SetCall().IsMatch(l.Code))
            .Select(l => l.Line);

    [GeneratedRegex(@"\bSetEnvironmentVariable\s*\(")]
    private static partial Regex SetCall();
}
