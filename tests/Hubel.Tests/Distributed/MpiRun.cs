using System.Diagnostics;

namespace Hubel.Tests.Distributed;

/// <summary>Starts `mpirun -np N dotnet exec Hubel.Cli.dll ...` on loopback. When Open MPI's mpirun is not installed
/// the calling test FAILS (CI installs openmpi-bin; a distributed test that did not run must never count as passed).</summary>
internal static class MpiRun
{
    public static string RequireMpirun()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "mpirun");
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Fail("NOT RUN: Open MPI's mpirun is not on PATH, so the multi-process training test could not run. " +
                    "Install it (Debian: apt-get install openmpi-bin libopenmpi-dev); .ci/run does this.");
        return "";
    }

    /// <summary>Starts the job; the caller waits for it (and kills it on failure).</summary>
    public static Process Start(int ranks, params string[] cliArgs)
    {
        var mpirun = RequireMpirun();
        var dll = Path.Combine(AppContext.BaseDirectory, "Hubel.Cli.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; the test project references src/Hubel.Cli");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var info = new ProcessStartInfo(mpirun)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory,
        };
        // Loopback only, any number of ranks on few cores, shared memory without kernel single-copy (containers lack it),
        // waiting ranks yield the core to their peers (the test machine may be busy).
        foreach (var a in new[] { "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "--oversubscribe", "--bind-to", "none",
                     "--mca", "btl", "self,vader", "--mca", "btl_vader_single_copy_mechanism", "none",
                     "--mca", "mpi_yield_when_idle", "1", host, "exec", dll })
            info.ArgumentList.Add(a);
        foreach (var a in cliArgs) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        info.Environment["TERM"] = "dumb";   // the ranks' stdout is a pseudo-terminal: no keypad escape codes in --json output
        info.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        info.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        info.Environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1";
        var p = Process.Start(info)!;
        p.StandardInput.Close();
        return p;
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(int ranks, params string[] cliArgs)
    {
        using var p = Start(ranks, cliArgs);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("mpirun did not finish within 5 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Process ids of this job's rank <paramref name="rank"/>: processes whose environment says
    /// OMPI_COMM_WORLD_RANK=rank and whose command line contains <paramref name="marker"/>.</summary>
    public static List<int> FindRank(int rank, string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(marker, StringComparison.Ordinal)) continue;
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}")) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // the process ended meanwhile
        }
        return found;
    }

    /// <summary>The largest per-tensor relative difference max|a - b| / max|a| over every tensor of two saved models
    /// (which must hold the same names), and where it occurs. Per tensor, not per element: a statistic that happens
    /// to sit near zero (a running mean of 1e-3 in float32) carries absolute rounding, not a relative one.</summary>
    public static (double Worst, string Where) WorstRelativeDifference(string pathA, string pathB)
    {
        var a = Hubel.Serialization.SafeTensors.Load(pathA).Tensors;
        var b = Hubel.Serialization.SafeTensors.Load(pathB).Tensors;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        (double Worst, string Where) result = (0, "");
        foreach (var name in a.Keys)
        {
            double[] x = a[name].ToDoubleArray(), y = b[name].ToDoubleArray();
            double scale = x.Length == 0 ? 0 : x.Max(Math.Abs), diff = 0;
            int at = 0;
            for (int i = 0; i < x.Length; i++)
                if (Math.Abs(x[i] - y[i]) > diff) (diff, at) = (Math.Abs(x[i] - y[i]), i);
            double relative = diff / Math.Max(scale, 1e-12);
            if (relative > result.Worst) result = (relative, $"{name}[{at}]: {x[at]} vs {y[at]} (largest |value| {scale:G3})");
        }
        return result;
    }
}
