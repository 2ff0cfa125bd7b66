namespace Hubel.Cli;

/// <summary>Whether to draw live progress: only on an interactive terminal without NO_COLOR.</summary>
internal static class Terminal
{
    public static bool IsRich =>
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);
}
