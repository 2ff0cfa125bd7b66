namespace Hubel.Serialization;

/// <summary>Writes a file so that readers see either the old content or the complete new one, never a
/// torn file: write a temporary file in the same directory, flush it to disk, rename it over the
/// target, then flush the directory entry.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            FlushDirectory(dir);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        SweepStaleTemporaries(dir, Path.GetFileName(full));
    }

    /// <summary>A process killed between creating its temporary file and the rename (SIGKILL, power loss)
    /// leaves a hidden <c>.name.pid.guid.tmp</c> behind. It is never read, but it wastes space, so the next
    /// successful save of the same file removes those whose writer process no longer exists. Temporaries
    /// of live processes (this one included: another thread may be saving) are left alone.</summary>
    internal static int SweepStaleTemporaries(string dir, string fileName)
    {
        int removed = 0;
        string[] candidates;
        try { candidates = Directory.GetFiles(dir, $".{fileName}.*.tmp"); }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
        foreach (var candidate in candidates)
        {
            var middle = Path.GetFileName(candidate)[(fileName.Length + 2)..^4];   // "pid.guid"
            var dot = middle.IndexOf('.');
            if (dot <= 0 || !int.TryParse(middle.AsSpan(0, dot), out var pid) || middle.Length - dot - 1 != 32) continue;
            if (IsAlive(pid)) continue;
            try { File.Delete(candidate); removed++; }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }        // no such process
        catch (InvalidOperationException) { return false; }
        catch (System.ComponentModel.Win32Exception) { return true; }   // exists but not ours to inspect
    }

    private static void FlushDirectory(string dir)
    {
        if (OperatingSystem.IsWindows()) return;   // NTFS renames are journaled; a directory cannot be opened for flushing.
        try
        {
            using var handle = File.OpenHandle(dir, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(handle);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
