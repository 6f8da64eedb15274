namespace LocalClaude.Agents;

/// <summary>Why a trial failed, in the order the driver decides it (the first that applies wins).</summary>
public enum TaskFailureKind
{
    /// <summary>Claude Code ran past the task's timeout and was killed.</summary>
    Timeout,
    /// <summary>The session ended because a request to the backend failed (HTTP error, broken stream).</summary>
    ApiError,
    /// <summary>The model never called a tool.</summary>
    NoToolCall,
    /// <summary>Every tool call was one Claude Code could not run: input not JSON, wrong fields, or no such tool.</summary>
    MalformedToolCall,
    /// <summary>The session ran its course but the hidden checker said no.</summary>
    CheckerFailed,
}

public static class TaskFailureKinds
{
    /// <summary>The name stored in result files (<c>no-tool-call</c>, <c>api-error</c>…).</summary>
    public static string Name(this TaskFailureKind kind) => kind switch
    {
        TaskFailureKind.Timeout => "timeout",
        TaskFailureKind.ApiError => "api-error",
        TaskFailureKind.NoToolCall => "no-tool-call",
        TaskFailureKind.MalformedToolCall => "malformed-tool-call",
        TaskFailureKind.CheckerFailed => "checker-failed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// Null when the trial passed. A timeout or a session that ended on a failed request is not the checker's
    /// verdict; otherwise the cause is read from what the model did: no call, only unusable calls, or work the
    /// checker rejected.
    /// </summary>
    public static TaskFailureKind? Classify(bool timedOut, bool checkerPassed, StreamJsonTranscript transcript)
    {
        if (timedOut) return TaskFailureKind.Timeout;
        if (checkerPassed) return null;
        if (transcript.EndedOnApiError || (!transcript.HasResult && transcript.ApiErrors > 0)) return TaskFailureKind.ApiError;
        if (transcript.ToolCalls.Count == 0) return TaskFailureKind.NoToolCall;
        if (transcript.MalformedToolCalls == transcript.ToolCalls.Count) return TaskFailureKind.MalformedToolCall;
        return TaskFailureKind.CheckerFailed;
    }
}
