using System.Runtime.InteropServices;

namespace Hubel.Interop;

/// <summary>
/// A shared library found at run time among candidate file names (newest version first), so that Hubel builds and runs
/// without it and fails, only when it is needed, with a message that names every file tried and says what to install.
/// Used for Open MPI and NCCL (Hubel.Distributed) and for CUDA, cuBLAS and cuDNN (Hubel.Cuda).
/// </summary>
internal sealed class LoadedLibrary
{
    private readonly Func<string, Exception>? _failure;

    private LoadedLibrary(string component, string fileName, IntPtr handle, Func<string, Exception>? failure)
    {
        (Component, FileName, Handle, _failure) = (component, fileName, handle, failure);
    }

    /// <summary>The library's name in messages ("Open MPI (libmpi)", "cuBLAS").</summary>
    public string Component { get; }

    /// <summary>The candidate name that loaded.</summary>
    public string FileName { get; }

    public IntPtr Handle { get; }

    /// <param name="candidates">file names or paths, tried in order.</param>
    /// <param name="component">the library's name in messages.</param>
    /// <param name="install">how to get it, appended to the error.</param>
    /// <param name="directory">searched first for every candidate (null or empty: only the loader's own search path,
    /// i.e. LD_LIBRARY_PATH and ldconfig).</param>
    /// <param name="failure">makes the exception for a failure message (default: <see cref="DllNotFoundException"/>
    /// when nothing loads, <see cref="EntryPointNotFoundException"/> for a missing export).</param>
    public static LoadedLibrary Load(IReadOnlyList<string> candidates, string component, string install, string? directory = null,
        Func<string, Exception>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentException.ThrowIfNullOrEmpty(component);
        if (candidates.Count == 0) throw new ArgumentException("at least one library name is needed", nameof(candidates));
        foreach (var name in candidates)
        {
            if (!string.IsNullOrEmpty(directory) && NativeLibrary.TryLoad(Path.Combine(directory, name), out var inDirectory))
                return new LoadedLibrary(component, name, inDirectory, failure);
            if (NativeLibrary.TryLoad(name, out var handle))
                return new LoadedLibrary(component, name, handle, failure);
        }
        string where = string.IsNullOrEmpty(directory) ? "the loader's search path" : $"{directory} and the loader's search path";
        string message = $"{component} not found (not installed, or not on the library path): tried {string.Join(", ", candidates)} in {where}. {install}";
        throw failure?.Invoke(message) ?? new DllNotFoundException(message);
    }

    /// <summary>The address of an exported function or global variable.</summary>
    public IntPtr Export(string symbol)
    {
        if (NativeLibrary.TryGetExport(Handle, symbol, out var address)) return address;
        string message = $"{Component} ({FileName}) has no entry point '{symbol}'; the installed version is too old or not the one Hubel was written for.";
        throw _failure?.Invoke(message) ?? new EntryPointNotFoundException(message);
    }
}
