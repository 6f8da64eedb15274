namespace LocalClaude.Launcher;

/// <summary>Bad input (unknown profile, unsafe work dir, missing binary, missing key): nothing was started.</summary>
public sealed class LaunchRefusedException(string message, Exception? inner = null) : Exception(message, inner);
