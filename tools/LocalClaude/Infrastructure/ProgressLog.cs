using System.Diagnostics;

namespace LocalClaude.Infrastructure;

/// <summary>Plain progress lines with the elapsed time, readable in a terminal and in a CI log alike.</summary>
public sealed class ProgressLog(TextWriter output)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public static ProgressLog Console { get; } = new(System.Console.Out);
    public static ProgressLog Silent { get; } = new(TextWriter.Null);

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Step(string message) => Write("==>", message);
    public void Info(string message) => Write("   ", message);
    public void Warn(string message) => Write("!! ", message);

    /// <summary>Runs a step and prints how long it took.</summary>
    public async Task<T> StepAsync<T>(string message, Func<Task<T>> action)
    {
        Step(message);
        var started = _clock.Elapsed;
        var result = await action();
        Info($"done in {(_clock.Elapsed - started).TotalSeconds:0.0} s");
        return result;
    }

    private void Write(string marker, string message)
    {
        lock (output) output.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {marker} {message}");
    }
}
