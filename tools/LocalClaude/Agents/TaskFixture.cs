using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;
using LocalClaude.ScriptedControls;

namespace LocalClaude.Agents;

/// <summary>The contents of a task's <c>task.json</c>.</summary>
/// <param name="Instruction">Exactly what Claude Code is told (<c>claude -p INSTRUCTION</c>).</param>
public sealed record TaskDefinition(
    int Schema,
    string Id,
    string Title,
    string Category,
    string Instruction,
    IReadOnlyList<string> AllowedTools,
    int TimeoutSeconds,
    int MaxTurns)
{
    /// <summary>task.json's spelling (snake_case), for its schema; <see cref="TaskFixture"/> reads the file by hand to name lines.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [JsonIgnore]
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>The value for <c>claude --allowedTools</c>.</summary>
    [JsonIgnore]
    public string AllowedToolsArgument => string.Join(",", AllowedTools);
}

/// <summary>The verdict of a task's checker.</summary>
/// <param name="ExitCode">null when the checker did not finish in time or could not start.</param>
/// <param name="Message">The checker's last output line (its one-line reason), or why it did not run.</param>
public sealed record TaskCheckResult(bool Passed, int? ExitCode, string Message, TimeSpan Duration);

/// <summary>
/// One E2E task folder, <c>fixtures/tasks/ID/</c>: <c>task.json</c> (what Claude Code is told), <c>workspace/</c>
/// (the starting files), <c>check.sh</c> (the hidden checker: <c>bash check.sh WORKDIR RESULT_FILE</c>, exit 0 = pass)
/// and <c>oracle.json</c> (a solution as tool calls, played by the oracle control backend).
/// </summary>
public sealed partial class TaskFixture
{
    public const int SupportedSchema = 1;
    public const string TaskFile = "task.json";
    public const string OracleFile = "oracle.json";
    public const string CheckerFile = "check.sh";
    public const string WorkspaceFolder = "workspace";

    /// <summary>
    /// Input fields of Claude Code 2.1.328's tools (from its <c>tools</c> array; every schema has
    /// <c>additionalProperties: false</c>). Oracle steps using these tools are checked field by field.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, (string[] Required, string[] Allowed)> KnownToolFields =
        new Dictionary<string, (string[], string[])>
        {
            ["Write"] = (["file_path", "content"], ["file_path", "content"]),
            ["Edit"] = (["file_path", "old_string", "new_string"], ["file_path", "old_string", "new_string", "replace_all"]),
            ["Read"] = (["file_path"], ["file_path", "offset", "limit", "pages", "allow_large"]),
            ["Bash"] = (["command"], ["command", "timeout", "description", "run_in_background", "dangerouslyDisableSandbox"]),
            ["Glob"] = (["pattern"], ["pattern", "path"]),
            ["Grep"] = (["pattern"], ["pattern", "path", "glob", "output_mode", "-B", "-A", "-C", "context", "-n", "-i", "-o", "type", "head_limit", "offset", "multiline"]),
        };

    private TaskFixture(string directory, TaskDefinition definition, OracleSolution oracle)
    {
        Directory = directory;
        Definition = definition;
        Oracle = oracle;
    }

    /// <summary>The task folder (absolute).</summary>
    public string Directory { get; }
    public TaskDefinition Definition { get; }
    public OracleSolution Oracle { get; }
    public string Id => Definition.Id;
    public string WorkspaceDirectory => Path.Combine(Directory, WorkspaceFolder);
    public string CheckerPath => Path.Combine(Directory, CheckerFile);

    public override string ToString() => Id;

    /// <summary>Reads and validates one task folder; throws <see cref="TaskFixtureException"/> naming the bad file.</summary>
    public static TaskFixture Load(string taskDirectory)
    {
        var directory = Path.GetFullPath(taskDirectory);
        if (!System.IO.Directory.Exists(directory))
            throw new TaskFixtureException(directory, "task folder does not exist");

        var definition = ReadDefinition(Path.Combine(directory, TaskFile), Path.GetFileName(directory));
        var checker = Path.Combine(directory, CheckerFile);
        if (!File.Exists(checker)) throw new TaskFixtureException(checker, "checker script is missing");
        var workspace = Path.Combine(directory, WorkspaceFolder);
        if (!System.IO.Directory.Exists(workspace)) throw new TaskFixtureException(workspace, "workspace folder is missing");
        var oracle = ReadOracle(Path.Combine(directory, OracleFile), definition);
        return new TaskFixture(directory, definition, oracle);
    }

    /// <summary>Loads every task folder under <paramref name="tasksDirectory"/> whose name matches <paramref name="glob"/> (<c>*</c>, <c>?</c>), sorted by id.</summary>
    public static IReadOnlyList<TaskFixture> LoadAll(string tasksDirectory, string glob = "*")
    {
        if (!System.IO.Directory.Exists(tasksDirectory))
            throw new TaskFixtureException(Path.GetFullPath(tasksDirectory), "tasks folder does not exist");
        var pattern = new Regex("^" + Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".") + "$");
        return System.IO.Directory.GetDirectories(tasksDirectory)
            .Where(d => pattern.IsMatch(Path.GetFileName(d)))
            .Order(StringComparer.Ordinal)
            .Select(Load)
            .ToArray();
    }

    /// <summary>
    /// Copies the starting files into <paramref name="workDirectory"/> (created; must be empty if it exists) and
    /// returns its absolute path. Modes are kept, so executable scripts stay executable.
    /// </summary>
    public string PrepareWorkDirectory(string workDirectory)
    {
        var target = Path.GetFullPath(workDirectory);
        if (System.IO.Directory.Exists(target) && System.IO.Directory.EnumerateFileSystemEntries(target).Any())
            throw new InvalidOperationException($"work dir '{target}' is not empty");
        CopyTree(WorkspaceDirectory, target);
        return target;
    }

    /// <summary>Where the checker's own folder appears inside its sandbox (read-only); the checker runs from there.</summary>
    public const string TaskFolderInside = "/opt/localclaude/task";
    /// <summary>Where the answer file appears inside the checker's sandbox (read-only).</summary>
    public const string AnswerInside = "/opt/localclaude/answer.txt";
    /// <summary>The work dir's parent as the checker sees it: the work dir (writable) and its siblings (read-only).</summary>
    public const string CheckedInside = "/checked";

    private static readonly BwrapSandbox DefaultCheckerSandbox = new();

    /// <summary>
    /// Runs the checker against <paramref name="workDirectory"/> with the agent's final answer in <paramref name="resultFile"/>.
    /// The checker runs what the model wrote (python3 main.py, unittest), so it runs in a sandbox like Claude Code's:
    /// no network, the unprivileged sandbox uid, its own folder and the answer read-only, the work dir writable, and
    /// the work dir's siblings read-only (a checker may look beside it, e.g. for a write outside the project).
    /// </summary>
    public async Task<TaskCheckResult> CheckAsync(string workDirectory, string resultFile, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default, BwrapSandbox? sandbox = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var work = Path.GetFullPath(workDirectory);
        var workInside = $"{CheckedInside}/{Path.GetFileName(work)}";
        var home = System.IO.Directory.CreateTempSubdirectory("localclaude-checker-home-").FullName;
        try
        {
            var readOnly = new List<ReadOnlyBind>
            {
                new(Directory, TaskFolderInside),
                new(Path.GetFullPath(resultFile), AnswerInside),
            };
            readOnly.AddRange(Siblings(work).Select(s => new ReadOnlyBind(s, $"{CheckedInside}/{Path.GetFileName(s)}")));
            await using var session = await (sandbox ?? DefaultCheckerSandbox).StartAsync(new SandboxSpec
            {
                WorkDirectory = work,
                WorkDirectoryInside = workInside,
                HomeDirectory = home,
                ReadOnlyBinds = readOnly,
                Environment = new Dictionary<string, string> { ["LC_ALL"] = "C.UTF-8", ["PYTHONDONTWRITEBYTECODE"] = "1" },
            }, cancellationToken);
            // From the task folder, so a checker may compare with its own pristine copy in ./workspace.
            var result = await session.RunAsync("/bin/bash", ["-c", "cd \"$0\" && exec /bin/bash ./" + CheckerFile + " \"$@\"", TaskFolderInside, workInside, AnswerInside],
                limit, cancellationToken);
            var message = LastLine(result.StandardOutput) ?? LastLine(result.StandardError)
                          ?? (result.Succeeded ? "checker passed without a message" : "checker failed without a message");
            return new TaskCheckResult(result.Succeeded, result.ExitCode, message, result.Duration);
        }
        catch (ExternalCommandException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new TaskCheckResult(false, e.ExitCode,
                e.ExitCode is null ? $"the checker did not finish within {limit.TotalSeconds:0} s and was stopped" : e.Message.Split('\n')[0], limit);
        }
        finally
        {
            try { System.IO.Directory.Delete(home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The work dir's siblings a checker may look at: real files and folders only (no links), none that is or holds a reserved path.</summary>
    private static IEnumerable<string> Siblings(string work)
    {
        var parent = Path.GetDirectoryName(work);
        if (parent is null) return [];
        var reserved = ReservedPaths.ForSandbox(LocalClaudeHome.Default(), ReservedPaths.UserHome());
        if (reserved.Conflict(parent) is { Relation: not ReservedRelation.Inside }) return [];
        return new DirectoryInfo(parent).EnumerateFileSystemInfos()
            .Where(e => e.FullName != work && e.LinkTarget is null && (e is DirectoryInfo || File.Exists(e.FullName)))
            .Where(e => reserved.Conflict(e.FullName) is null or { Relation: ReservedRelation.Inside })
            .Select(e => e.FullName)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Like <see cref="CheckAsync"/>, with the answer given as text (written to a temporary file outside the work dir).</summary>
    public async Task<TaskCheckResult> CheckAnswerAsync(string workDirectory, string answer, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default, BwrapSandbox? sandbox = null)
    {
        var resultFile = Path.Combine(Path.GetTempPath(), $"localclaude-result-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(resultFile, answer, cancellationToken);
        try { return await CheckAsync(workDirectory, resultFile, timeout, cancellationToken, sandbox); }
        finally { File.Delete(resultFile); }
    }

    private static TaskDefinition ReadDefinition(string file, string folderName)
    {
        var (json, text) = ReadObject(file);
        var schema = RequireInt(json, text, file, "schema");
        if (schema != SupportedSchema)
            throw new TaskFixtureException(file, $"schema {schema} is not supported (expected {SupportedSchema})", LineOf(text, "schema"));
        var id = RequireString(json, text, file, "id");
        if (id != folderName)
            throw new TaskFixtureException(file, $"id '{id}' does not match the folder name '{folderName}'", LineOf(text, "id"));
        if (!IdPattern().IsMatch(id))
            throw new TaskFixtureException(file, $"id '{id}' must be lower-case letters, digits and dashes", LineOf(text, "id"));
        var tools = json["allowed_tools"] is JsonArray array && array.Count > 0 &&
                    array.All(t => t is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0)
            ? array.Select(t => t!.GetValue<string>()).ToArray()
            : throw new TaskFixtureException(file, "'allowed_tools' must be a non-empty array of tool names", LineOf(text, "allowed_tools"));
        var timeout = RequireInt(json, text, file, "timeout_seconds");
        var maxTurns = RequireInt(json, text, file, "max_turns");
        if (timeout <= 0) throw new TaskFixtureException(file, "'timeout_seconds' must be positive", LineOf(text, "timeout_seconds"));
        if (maxTurns <= 0) throw new TaskFixtureException(file, "'max_turns' must be positive", LineOf(text, "max_turns"));
        return new TaskDefinition(schema, id,
            RequireString(json, text, file, "title"),
            RequireString(json, text, file, "category"),
            RequireString(json, text, file, "instruction"),
            tools, timeout, maxTurns);
    }

    private static OracleSolution ReadOracle(string file, TaskDefinition definition)
    {
        var (json, text) = ReadObject(file);
        if (json["steps"] is not JsonArray steps)
            throw new TaskFixtureException(file, "'steps' must be an array of tool calls", LineOf(text, "steps"));
        var parsed = new List<OracleStep>();
        for (var i = 0; i < steps.Count; i++)
        {
            var where = $"step {i + 1}";
            if (steps[i] is not JsonObject step)
                throw new TaskFixtureException(file, $"{where} must be an object");
            if (step["tool"] is not JsonValue toolValue || !toolValue.TryGetValue<string>(out var tool) || tool.Length == 0)
                throw new TaskFixtureException(file, $"{where}: 'tool' must be a tool name", LineOf(text, "tool", i));
            if (step["input"] is not JsonObject input)
                throw new TaskFixtureException(file, $"{where} ({tool}): 'input' must be an object", LineOf(text, "tool", i));
            if (!definition.AllowedTools.Contains(tool))
                throw new TaskFixtureException(file, $"{where} uses {tool}, which the task does not allow ({string.Join(",", definition.AllowedTools)})", LineOf(text, "tool", i));
            if (KnownToolFields.TryGetValue(tool, out var fields))
            {
                foreach (var field in fields.Required)
                    if (input[field] is not JsonValue v || !v.TryGetValue<string>(out _))
                        throw new TaskFixtureException(file, $"{where} ({tool}): input needs a string '{field}'", LineOf(text, "tool", i));
                foreach (var (field, _) in input)
                    if (!fields.Allowed.Contains(field))
                        throw new TaskFixtureException(file, $"{where} ({tool}): Claude Code's {tool} takes no '{field}' (allowed: {string.Join(", ", fields.Allowed)})", LineOf(text, "tool", i));
            }
            if (input["file_path"] is JsonValue p && p.TryGetValue<string>(out var path) && !path.StartsWith('/') && !path.StartsWith(OracleSolution.WorkDirPlaceholder))
                throw new TaskFixtureException(file, $"{where} ({tool}): file_path must be absolute (start with {OracleSolution.WorkDirPlaceholder})", LineOf(text, "tool", i));
            parsed.Add(new OracleStep(tool, input.ToJsonString()));
        }
        if (json["final_text"] is not JsonValue final || !final.TryGetValue<string>(out var finalText))
            throw new TaskFixtureException(file, "'final_text' must be a string", LineOf(text, "final_text"));
        return new OracleSolution(parsed, finalText);
    }

    private static (JsonObject Json, string Text) ReadObject(string file)
    {
        if (!File.Exists(file)) throw new TaskFixtureException(file, "file is missing");
        var text = File.ReadAllText(file);
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false }) is JsonObject json
                ? (json, text)
                : throw new TaskFixtureException(file, "must hold a JSON object", 1);
        }
        catch (JsonException e)
        {
            throw new TaskFixtureException(file, $"invalid JSON: {e.Message}", e.LineNumber + 1);
        }
    }

    private static string RequireString(JsonObject json, string text, string file, string name) =>
        json[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Trim().Length > 0
            ? s
            : throw new TaskFixtureException(file, $"'{name}' must be a non-empty string", LineOf(text, name));

    private static int RequireInt(JsonObject json, string text, string file, string name) =>
        json[name] is JsonValue v && v.TryGetValue<int>(out var n)
            ? n
            : throw new TaskFixtureException(file, $"'{name}' must be an integer", LineOf(text, name));

    /// <summary>1-based line of the <paramref name="occurrence"/>-th <c>"name":</c> in the text, or null (missing fields have no line).</summary>
    private static long? LineOf(string text, string name, int occurrence = 0)
    {
        var matches = Regex.Matches(text, "\"" + Regex.Escape(name) + "\"\\s*:");
        if (matches.Count <= occurrence) return null;
        return text.AsSpan(0, matches[occurrence].Index).Count('\n') + 1;
    }

    private static string? LastLine(string output) =>
        output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);

    private static void CopyTree(string source, string target)
    {
        System.IO.Directory.CreateDirectory(target);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var destination = Path.Combine(target, entry.Name);
            if (entry is DirectoryInfo dir) CopyTree(dir.FullName, destination);
            else File.Copy(entry.FullName, destination);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex IdPattern();
}
