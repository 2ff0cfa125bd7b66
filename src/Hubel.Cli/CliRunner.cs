using System.CommandLine;

namespace Hubel.Cli;

/// <summary>Parses, reports usage errors with exit code 2 and turns runtime failures into one line and exit code 1.</summary>
internal static class CliRunner
{
    public const int Ok = 0, RuntimeError = 1, UsageError = 2;

    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        // Help wins over missing required options (`hubel eval --help` must show help, not "--model is required").
        bool wantsHelp = parsed.Action is RootHelp or System.CommandLine.Help.HelpAction;
        if (parsed.Errors.Count > 0 && !wantsHelp)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"hubel: {error.Message}");
            Console.Error.WriteLine("Run 'hubel --help' (or 'hubel <command> --help') for usage.");
            return UsageError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"hubel: {e.Message}");
            return UsageError;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"hubel: {e.Message}");
            return RuntimeError;
        }
    }
}

/// <summary>A bad combination of options found after parsing; reported with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
