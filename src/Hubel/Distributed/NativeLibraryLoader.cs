using System.Runtime.InteropServices;

namespace Hubel.Distributed;

/// <summary>Finds a shared library among candidate names at run time (so Hubel builds and runs without it) and
/// resolves its exports, failing with a message that says what to install.</summary>
internal sealed class NativeLibraryLoader
{
    private NativeLibraryLoader(IntPtr handle, string loadedName, string what)
    {
        Handle = handle;
        LoadedName = loadedName;
        _what = what;
    }

    private readonly string _what;

    public IntPtr Handle { get; }

    /// <summary>The candidate name that loaded.</summary>
    public string LoadedName { get; }

    /// <param name="candidates">file names or paths, tried in order.</param>
    /// <param name="what">the library's name in messages ("Open MPI (libmpi)").</param>
    /// <param name="install">how to get it, appended to the error.</param>
    public static NativeLibraryLoader Load(IReadOnlyList<string> candidates, string what, string install)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0) throw new ArgumentException("at least one library name is needed", nameof(candidates));
        foreach (var name in candidates)
            if (NativeLibrary.TryLoad(name, out var handle))
                return new NativeLibraryLoader(handle, name, what);
        throw new DllNotFoundException(
            $"{what} is not installed or not on the library path: none of {string.Join(", ", candidates)} could be loaded. {install}");
    }

    /// <summary>The address of an exported function or global variable.</summary>
    public IntPtr Export(string symbol)
    {
        if (NativeLibrary.TryGetExport(Handle, symbol, out var address)) return address;
        throw new EntryPointNotFoundException($"{_what} ({LoadedName}) has no symbol '{symbol}'; the installed version is not the one Hubel was written for");
    }
}
