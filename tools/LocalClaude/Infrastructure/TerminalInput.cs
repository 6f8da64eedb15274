using System.Runtime.InteropServices;

namespace LocalClaude.Infrastructure;

/// <summary>The controlling terminal's input queue.</summary>
public static class TerminalInput
{
    private const int TciFlush = 0;
    private const int ReadWrite = 2, NoCtty = 0x100, CloseOnExec = 0x80000;

    /// <summary>
    /// Discards what is waiting in the controlling terminal's input queue (tcflush TCIFLUSH), so that nothing a program
    /// that shared the terminal pushed there (TIOCSTI) reaches the user's shell. Typeahead goes too. No terminal: nothing.
    /// </summary>
    public static bool DiscardPending()
    {
        var fd = Open("/dev/tty", ReadWrite | NoCtty | CloseOnExec);
        if (fd < 0) return false;
        try { return TcFlush(fd, TciFlush) == 0; }
        finally { _ = Close(fd); }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "tcflush", SetLastError = true)]
    private static extern int TcFlush(int fd, int queueSelector);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
