using Spectre.Console;

namespace Hubel.Cli;

/// <summary>Whether to draw live progress: only on an interactive terminal without NO_COLOR.</summary>
internal static class Terminal
{
    public static bool IsRich =>
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);

    /// <summary>Where tables go: the styled console on a terminal, plain text (no ANSI codes, no colour) otherwise.</summary>
    public static IAnsiConsole Tables => IsRich
        ? AnsiConsole.Console
        : AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(Console.Out) });
}
