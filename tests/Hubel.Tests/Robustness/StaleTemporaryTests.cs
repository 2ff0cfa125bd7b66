using Hubel.Serialization;

namespace Hubel.Tests.Robustness;

/// <summary>Case 66 of docs/ROBUSTNESS.md: a writer killed before its rename leaves a hidden temporary file; the next
/// successful save of the same file removes it, while a temporary of a live process stays.</summary>
public class StaleTemporaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-stale-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static int DeadPid()
    {
        for (int pid = 4_000_000; pid > 3_000_000; pid -= 7919)
        {
            try { using var p = System.Diagnostics.Process.GetProcessById(pid); }
            catch (ArgumentException) { return pid; }
        }
        throw new InvalidOperationException("no free process id found");
    }

    [Fact]
    public void R66_the_next_save_sweeps_temporaries_of_dead_writers_only()
    {
        var target = Path.Combine(_dir, "model.safetensors");
        var dead = Path.Combine(_dir, $".model.safetensors.{DeadPid()}.{Guid.NewGuid():N}.tmp");
        var live = Path.Combine(_dir, $".model.safetensors.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var other = Path.Combine(_dir, $".other.bin.{DeadPid()}.{Guid.NewGuid():N}.tmp");
        var unrelated = Path.Combine(_dir, ".model.safetensors.notes.tmp");
        foreach (var f in new[] { dead, live, other, unrelated }) File.WriteAllText(f, "partial");

        AtomicFile.Write(target, s => s.Write("new"u8));

        Assert.Equal("new", File.ReadAllText(target));
        Assert.False(File.Exists(dead), "the dead writer's temporary must be removed");
        Assert.True(File.Exists(live), "a live process's temporary must stay");
        Assert.True(File.Exists(other), "temporaries of other files are not this save's business");
        Assert.True(File.Exists(unrelated), "names not of the form .name.pid.guid.tmp stay");
    }
}
