using LocalClaude.Agents;
using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;
using LocalClaude.Tests.Support;

namespace LocalClaude.Tests.ScriptedControls;

public sealed class TaskFixtureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string TasksDirectory => RepoLayout.Find().Tasks;

    [Fact]
    public void Every_task_fixture_loads_and_the_set_covers_the_required_categories()
    {
        var tasks = TaskFixture.LoadAll(TasksDirectory);

        (tasks.Count >= 13).Should().BeTrue($"only {tasks.Count} tasks");
        tasks.Select(t => t.Id).Distinct().Count().Should().Be(tasks.Count);
        string[] required =
        [
            "answer-question", "create-file", "edit-function", "multi-file-rename", "fix-failing-test", "run-command",
            "search-tree", "write-and-run-script", "follow-convention", "refuse-outside",
        ];
        required.Except(tasks.Select(t => t.Definition.Category)).Should().BeEmpty();
        foreach (var task in tasks)
        {
            Directory.EnumerateFileSystemEntries(task.WorkspaceDirectory).Any().Should().BeTrue($"{task.Id}: empty workspace");
            task.Oracle.FinalText.Should().NotBeEmpty();
            (task.Definition.MaxTurns > task.Oracle.Steps.Count).Should().BeTrue($"{task.Id}: max_turns leaves no room for the oracle");
            // The checker is hidden from the agent: it must not be part of what is copied.
            File.Exists(Path.Combine(task.WorkspaceDirectory, TaskFixture.CheckerFile)).Should().BeFalse($"{task.Id}: check.sh in workspace");
        }
    }

    [Fact]
    public void LoadAll_filters_folder_names_by_glob()
    {
        var all = TaskFixture.LoadAll(TasksDirectory);
        var some = TaskFixture.LoadAll(TasksDirectory, "*-function");

        some.Select(t => t.Id).Should().Equal(all.Where(t => t.Id.EndsWith("-function")).Select(t => t.Id));
        some.Should().NotBeEmpty();
        TaskFixture.LoadAll(TasksDirectory, "no-such-task-*").Should().BeEmpty();
    }

    [Theory]
    [InlineData("task.json", "{\n  \"schema\": 1,\n  \"id\": \"broken\"\n  \"title\": \"x\"\n}", 4, "invalid JSON")]
    [InlineData("task.json", null, null, "'category' must be a non-empty string")]
    [InlineData("task.json", "{\"schema\": 2}", 1, "schema 2 is not supported")]
    [InlineData("oracle.json", "{\n\"steps\": [\n {\"tool\": \"Read\", \"input\": {\"file_path\": \"{{WORKDIR}}/a\"}},\n {\"tool\": \"Edit\", \"input\": {\"file_path\": \"{{WORKDIR}}/a\", \"old_string\": \"x\"}}\n],\n\"final_text\": \"\"}", 4, "step 2 (Edit): input needs a string 'new_string'")]
    [InlineData("oracle.json", "{\"steps\": [{\"tool\": \"Write\", \"input\": {\"file_path\": \"a.txt\", \"content\": \"\"}}], \"final_text\": \"\"}", 1, "file_path must be absolute")]
    [InlineData("oracle.json", "{\"steps\": [{\"tool\": \"Write\", \"input\": {\"file_path\": \"/w/a\", \"content\": \"\", \"mode\": 1}}], \"final_text\": \"\"}", 1, "takes no 'mode'")]
    [InlineData("oracle.json", "{\"steps\": [{\"tool\": \"WebFetch\", \"input\": {}}], \"final_text\": \"\"}", 1, "uses WebFetch, which the task does not allow")]
    [InlineData("oracle.json", "{\"steps\": []}", null, "'final_text' must be a string")]
    public void A_malformed_fixture_is_reported_with_its_file_and_line(string file, string? content, int? line, string problem)
    {
        using var temp = new TempDirectory();
        var dir = WriteMinimalTask(temp.Path, "broken");
        var path = Path.Combine(dir, file);
        if (content is null)
        {
            // Drop a field: the error names the field and the file, with no line (there is none).
            var text = File.ReadAllText(path).Replace("  \"category\": \"answer-question\",\n", "");
            File.WriteAllText(path, text);
        }
        else File.WriteAllText(path, content);

        var e = FluentActions.Invoking(() => TaskFixture.Load(dir)).Should().ThrowExactly<TaskFixtureException>().Which;

        e.File.Should().Be(path);
        e.Problem.Should().Contain(problem);
        e.Line.Should().Be(line);
        e.Message.Should().StartWith(path + (line is null ? ": " : $":{line}: "));
    }

    [Fact]
    public void Missing_parts_are_named()
    {
        using var temp = new TempDirectory();
        var dir = WriteMinimalTask(temp.Path, "parts");

        File.Delete(Path.Combine(dir, "check.sh"));
        var noChecker = FluentActions.Invoking(() => TaskFixture.Load(dir)).Should().ThrowExactly<TaskFixtureException>().Which;
        noChecker.File.Should().Be(Path.Combine(dir, "check.sh"));

        File.WriteAllText(Path.Combine(dir, "check.sh"), "exit 1\n");
        Directory.Delete(Path.Combine(dir, "workspace"), true);
        var noWorkspace = FluentActions.Invoking(() => TaskFixture.Load(dir)).Should().ThrowExactly<TaskFixtureException>().Which;
        noWorkspace.File.Should().Be(Path.Combine(dir, "workspace"));

        var renamed = Path.Combine(temp.Path, "other-name");
        Directory.CreateDirectory(Path.Combine(dir, "workspace"));
        Directory.Move(dir, renamed);
        var wrongId = FluentActions.Invoking(() => TaskFixture.Load(renamed)).Should().ThrowExactly<TaskFixtureException>().Which;
        wrongId.Message.Should().Contain("does not match the folder name 'other-name'");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_work_dir_gets_a_copy_of_the_workspace_with_modes_kept()
    {
        using var temp = new TempDirectory();
        var dir = WriteMinimalTask(temp.Path, "copy");
        Directory.CreateDirectory(Path.Combine(dir, "workspace", "sub"));
        var script = Path.Combine(dir, "workspace", "sub", "run.sh");
        File.WriteAllText(script, "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var task = TaskFixture.Load(dir);

        var work = task.PrepareWorkDirectory(temp.Combine("work"));

        File.ReadAllText(Path.Combine(work, "sub", "run.sh")).Should().Be("#!/bin/sh\necho hi\n");
        File.GetUnixFileMode(Path.Combine(work, "sub", "run.sh")).HasFlag(UnixFileMode.UserExecute).Should().BeTrue();
        File.Exists(Path.Combine(work, "a.txt")).Should().BeTrue();
        File.Exists(Path.Combine(work, "check.sh")).Should().BeFalse();
        FluentActions.Invoking(() => task.PrepareWorkDirectory(work)).Should().ThrowExactly<InvalidOperationException>();
    }

    [Fact]
    public async Task The_checker_gets_the_work_dir_and_the_answer_and_its_last_line_is_the_message()
    {
        using var temp = new TempDirectory();
        var dir = WriteMinimalTask(temp.Path, "checker");
        File.WriteAllText(Path.Combine(dir, "check.sh"), """
            work="$1"; result="$2"
            echo "noise"
            if [ -f "$work/a.txt" ] && grep -q 42 "$result"; then echo "PASS: found 42"; exit 0; fi
            echo "FAIL: no 42 in $(cat "$result")"; exit 3
            """);
        var task = TaskFixture.Load(dir);
        var work = task.PrepareWorkDirectory(temp.Combine("work"));

        var pass = await task.CheckAnswerAsync(work, "The answer is 42.", cancellationToken: Ct);
        var fail = await task.CheckAnswerAsync(work, "", cancellationToken: Ct);

        (new[] { pass.Passed, fail.Passed }).Should().Equal(new[] { true, false });
        pass.Message.Should().Be("PASS: found 42");
        fail.Message.Should().Be("FAIL: no 42 in");
        fail.ExitCode.Should().Be(3);
    }

    [Fact]
    public async Task A_checker_that_hangs_fails_at_the_timeout()
    {
        using var temp = new TempDirectory();
        var dir = WriteMinimalTask(temp.Path, "hangs");
        File.WriteAllText(Path.Combine(dir, "check.sh"), "sleep 30\n");
        var task = TaskFixture.Load(dir);
        var work = task.PrepareWorkDirectory(temp.Combine("work"));

        var outcome = await task.CheckAnswerAsync(work, "", TimeSpan.FromSeconds(1), Ct);

        outcome.Passed.Should().BeFalse();
        outcome.ExitCode.Should().BeNull();
        outcome.Message.Should().Contain("did not finish within 1 s");
    }

    /// <summary>
    /// Escape (checkers): a checker runs model-written code (python3 main.py). That code must not write outside the
    /// work dir, reach the network or read the host's files, while the checker's verdict works as before.
    /// </summary>
    [Fact]
    public async Task A_checker_runs_model_written_code_in_the_sandbox_and_its_verdict_still_works()
    {
        using var temp = new TempDirectory("lc-checker");
        using var outside = new TempDirectory("lc-checker-outside");
        var canary = "lc-canary-" + Guid.NewGuid().ToString("N");
        var secret = Path.Combine(outside.Path, "secret.txt");
        File.WriteAllText(secret, canary);
        File.SetUnixFileMode(outside.Path, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(secret, (UnixFileMode)0b110_100_100);
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var connections = 0;
        _ = Task.Run(async () =>
        {
            while (await listener.NextOrNullAsync(Ct) is { } client) { client.Dispose(); Interlocked.Increment(ref connections); }
        }, Ct);

        var dir = WriteMinimalTask(temp.Path, "model-code");
        File.WriteAllText(Path.Combine(dir, "check.sh"), """
            work="$1"; cd "$work" || exit 1
            out="$(timeout 30 python3 main.py 2>&1)"
            [ "$(tail -n 1 <<<"$out")" = "sum=6" ] && { echo "PASS: main.py printed sum=6"; exit 0; }
            echo "FAIL: main.py printed $(tail -n 1 <<<"$out")"; exit 1
            """);
        var task = TaskFixture.Load(dir);
        var work = task.PrepareWorkDirectory(temp.Combine("work"));
        File.WriteAllText(Path.Combine(work, "main.py"), $$"""
            import os, socket
            results = []
            def attempt(name, fn):
                try:
                    fn()
                    results.append("ESCAPED " + name)
                except Exception as e:
                    results.append("blocked %s: %s" % (name, type(e).__name__))
            attempt("write-outside", lambda: open({{Py(Path.Combine(outside.Path, "pwned"))}}, "w").write("pwned"))
            attempt("write-beside-work", lambda: open("../pwned", "w").write("pwned"))
            attempt("write-task-folder", lambda: open(os.path.join({{Py(dir)}}, "pwned"), "w").write("pwned"))
            attempt("read-host-file", lambda: results.append(open({{Py(secret)}}).read()))
            attempt("list-host-home", lambda: results.append(",".join(os.listdir({{Py(ReservedPaths.UserHome())}}))))
            attempt("network", lambda: socket.create_connection(("127.0.0.1", {{port}}), timeout=3).close())
            open("attempts.txt", "w").write("\n".join(results) + "\n")
            print("sum=%d" % sum([1, 2, 3]))
            """);

        var pass = await task.CheckAnswerAsync(work, "", cancellationToken: Ct);

        var attempts = File.ReadAllText(Path.Combine(work, "attempts.txt"));
        pass.Passed.Should().BeTrue(pass.Message + "\n" + attempts);
        pass.Message.Should().Be("PASS: main.py printed sum=6");
        attempts.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("blocked ", StringComparison.Ordinal)).Should().Be(6);
        attempts.Should().NotContain("ESCAPED");
        attempts.Should().NotContain(canary);
        File.Exists(Path.Combine(outside.Path, "pwned")).Should().BeFalse();
        File.Exists(Path.Combine(temp.Path, "pwned")).Should().BeFalse();
        File.Exists(Path.Combine(dir, "pwned")).Should().BeFalse();
        Volatile.Read(ref connections).Should().Be(0);
        listener.Stop();

        // The other verdict still comes back: wrong output fails with the checker's own message.
        File.WriteAllText(Path.Combine(work, "main.py"), "print('sum=7')\n");
        var fail = await task.CheckAnswerAsync(work, "", cancellationToken: Ct);
        fail.Passed.Should().BeFalse();
        fail.Message.Should().Be("FAIL: main.py printed sum=7");
        fail.ExitCode.Should().Be(1);
    }

    private static string Py(string path) => "'" + path.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    /// <summary>A valid one-file task folder to break in one place.</summary>
    private static string WriteMinimalTask(string parent, string id)
    {
        var dir = Path.Combine(parent, id);
        Directory.CreateDirectory(Path.Combine(dir, "workspace"));
        File.WriteAllText(Path.Combine(dir, "workspace", "a.txt"), "a\n");
        File.WriteAllText(Path.Combine(dir, "check.sh"), "echo 'FAIL: always'; exit 1\n");
        File.WriteAllText(Path.Combine(dir, "task.json"), $$"""
            {
              "schema": 1,
              "id": "{{id}}",
              "title": "t",
              "category": "answer-question",
              "instruction": "Say hi.",
              "allowed_tools": ["Bash", "Read", "Write", "Edit"],
              "timeout_seconds": 60,
              "max_turns": 5
            }
            """.Replace("\r\n", "\n") + "\n");
        File.WriteAllText(Path.Combine(dir, "oracle.json"), """{"steps": [], "final_text": "hi"}""");
        return dir;
    }
}
