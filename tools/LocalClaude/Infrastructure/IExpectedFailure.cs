namespace LocalClaude.Infrastructure;

/// <summary>
/// Marks an exception whose message is written for the user (bad input, a missing part): <see cref="ExitCodes"/>
/// prints that one line and exits 2 without a stack trace. A marker here keeps Infrastructure from naming the
/// exception types of the folders that build on it.
/// </summary>
public interface IExpectedFailure;
