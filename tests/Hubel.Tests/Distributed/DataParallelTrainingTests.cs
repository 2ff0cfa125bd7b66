using System.Diagnostics;
using Hubel.Serialization;
using Hubel.Tests.Cli;
using Hubel.Training;

namespace Hubel.Tests.Distributed;

/// <summary>`hubel train --distributed` under `mpirun -np 2` on loopback, against one process.</summary>
public class DataParallelTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-mpi-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static readonly string[] Common = ["train", "--distributed", "--train-subset", "128", "--batch-size", "32", "--threads", "1", "--seed", "5", "--json"];

    [Fact]
    public void Two_ranks_with_global_batch_B_end_with_the_weights_of_one_rank_with_batch_B()
    {
        var (code, one, stderr) = CliProcess.Run([.. Common, "--epochs", "2", "--out", P("one.safetensors")]);
        Assert.True(code == 0, stderr);
        Assert.Contains("\"world_size\":1", one);
        (code, var two, stderr) = MpiRun.Run(2, [.. Common, "--epochs", "2", "--bucket-kb", "16", "--out", P("two.safetensors")]);
        Assert.True(code == 0, $"mpirun -np 2 failed ({code}): {stderr}");
        var lines = two.Trim().Split('\n');
        Assert.Equal(2, lines.Length);                                       // rank 0 alone prints
        Assert.All(lines, l => Assert.StartsWith("{\"epoch\":", l));       // nothing but JSON
        Assert.All(lines, l => Assert.Contains("\"world_size\":2", l));
        Assert.All(lines, l => Assert.Contains("\"weights_identical\":true", l));
        Assert.All(lines, l => Assert.Contains("\"steps\":4", l));           // 128 / 32 steps on every rank

        var a = SafeTensors.Load(P("one.safetensors")).Tensors;
        var b = SafeTensors.Load(P("two.safetensors")).Tensors;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        double worst = 0;
        foreach (var name in a.Keys)
        {
            float[] x = a[name].ToFloatArray(), y = b[name].ToFloatArray();
            for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]) / (1e-3 + Math.Abs(x[i])));
        }
        // Same images per step, gradients summed in another order (two half-batch means averaged): float rounding only.
        Assert.True(worst < 1e-3, $"largest relative weight difference {worst}");
        Assert.False(File.Exists(P("two-checkpoint.safetensors.tmp")));
    }

    [Fact]
    public async Task When_a_rank_is_killed_the_job_stops_with_an_error_and_the_checkpoint_resumes_on_another_rank_count()
    {
        string model = P("fault.safetensors"), checkpoint = P("fault-checkpoint.safetensors");
        using var job = MpiRun.Start(2, [.. Common, "--epochs", "1000", "--out", model]);
        var ct = TestContext.Current.CancellationToken;
        var stdout = job.StandardOutput.ReadToEndAsync(ct);
        var stderr = job.StandardError.ReadToEndAsync(ct);
        try
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && !job.HasExited && waited.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(100, ct);
            Assert.True(File.Exists(checkpoint), $"no checkpoint after {waited.Elapsed.TotalSeconds:F0} s; stderr: {(job.HasExited ? await stderr : "")}");
            var victims = MpiRun.FindRank(1, model);
            Assert.NotEmpty(victims);
            foreach (var pid in victims) Process.GetProcessById(pid).Kill();   // SIGKILL, as a crashed machine would
            Assert.True(job.WaitForExit(TimeSpan.FromSeconds(60)), "the surviving rank did not stop within 60 s of its peer's death");
            Assert.NotEqual(0, job.ExitCode);
            Assert.Contains("rank 1", await stderr, StringComparison.OrdinalIgnoreCase);   // mpirun names the rank that died
        }
        finally
        {
            if (!job.HasExited) job.Kill(entireProcessTree: true);
        }

        var state = Checkpoint.ReadState(checkpoint);                        // intact: written atomically by rank 0
        Assert.True(state.Epoch >= 1);
        var (code, resumed, err) = CliProcess.Run("train", "--distributed", "--threads", "1", "--json", "--epochs", (state.Epoch + 1).ToString(),
            "--resume", checkpoint, "--out", P("resumed.safetensors"));
        Assert.True(code == 0, err);
        Assert.Contains($"\"epoch\":{state.Epoch + 1},\"world_size\":1", resumed);
    }
}
