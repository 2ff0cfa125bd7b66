using System.Text.Json.Nodes;
using Hubel.Serialization;
using Hubel.Tensors;
using Hubel.Training;

namespace Hubel.Tests.Robustness;

/// <summary>Crash safety of training runs: a `hubel train` process killed with SIGKILL and resumed from its last
/// checkpoint ends bitwise equal to a run that was never interrupted, and a kill that lands during a checkpoint save
/// never leaves a checkpoint that does not load.</summary>
public class KillResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-kill-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static void WaitFor(Func<bool> condition, HubelProcess process, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!condition())
        {
            if (process.HasExited)
            {
                int code = process.WaitForExit();   // drains the output, so the message says what really happened
                Assert.Fail(condition()
                    ? $"hubel ran to its end (exit {code}) before the test could act after {what}: make the run longer"
                    : $"hubel exited (code {code}) before {what}: {process.Stderr}");
            }
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            Thread.Sleep(10);
        }
    }

    [Fact]
    public void A_run_killed_mid_epoch_and_resumed_ends_bitwise_equal_to_an_uninterrupted_run()
    {
        // 4,096 images make an epoch last most of a second even with the fast kernels: with 512 a whole 5-epoch run could
        // end between two polls, before its first epoch line had been read, and the kill never happened.
        string data = TinyData.Create(P("data"), train: 4096);
        string[] run = ["train", "--dataset", "fashion-mnist", "--data", data, "--epochs", "5", "--json", "--seed", "5", "--threads", "1", "--batch-size", "32"];
        using (var full = new HubelProcess([.. run, "--out", P("full.safetensors")]))
            Assert.True(full.WaitForExit() == 0, full.Stderr);

        using (var killed = new HubelProcess([.. run, "--out", P("k.safetensors")]))
        {
            WaitFor(() => killed.EpochLines.Length >= 1, killed, "the first epoch finished");
            // Half an epoch later the run is in the middle of epoch 2 (the first epoch's own time says how long that is).
            double seconds = (double)JsonNode.Parse(killed.EpochLines[0])!["seconds"]!;
            Thread.Sleep(TimeSpan.FromSeconds(seconds / 2));
            Assert.False(killed.HasExited, "the run finished before it could be killed");
            killed.Kill();
        }
        var state = Checkpoint.ReadState(P("k-checkpoint.safetensors"));
        Assert.InRange(state.Epoch, 1, 4);
        Assert.False(File.Exists(P("k.safetensors")));   // the final model is only written at the end

        using (var resumed = new HubelProcess("train", "--epochs", "5", "--json", "--threads", "1", "--resume", P("k-checkpoint.safetensors"), "--out", P("k.safetensors")))
            Assert.True(resumed.WaitForExit() == 0, resumed.Stderr);
        var expected = SafeTensors.Load(P("full.safetensors")).Tensors;
        var actual = SafeTensors.Load(P("k.safetensors")).Tensors;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var name in expected.Keys) Assert.Equal(expected[name].ToFloatArray(), actual[name].ToFloatArray());   // bit for bit
    }

    [Fact]
    public void A_kill_at_any_moment_leaves_a_checkpoint_that_loads_and_is_the_old_or_the_new_one()
    {
        // Tiny epochs so that checkpoint saves come every few milliseconds and random kills often land inside one.
        string data = TinyData.Create(P("data"), train: 64, test: 16);
        var rng = new Rng(7);
        for (int round = 0; round < 4; round++)
        {
            string output = P($"r{round}.safetensors"), checkpoint = P($"r{round}-checkpoint.safetensors");
            int printed;
            using (var run = new HubelProcess("train", "--dataset", "fashion-mnist", "--data", data, "--epochs", "1000", "--json", "--threads", "1",
                       "--batch-size", "16", "--seed", $"{round}", "--out", output))
            {
                WaitFor(() => run.EpochLines.Length >= 1, run, "the first checkpoint");
                Thread.Sleep(50 + rng.NextInt(400));
                Assert.False(run.HasExited, "the run finished before it could be killed");
                run.Kill();
                printed = run.EpochLines.Length;
            }
            // The checkpoint is written before its epoch line is printed, so it holds that epoch or the next one.
            var state = Checkpoint.ReadState(checkpoint);
            Assert.InRange(state.Epoch, printed, printed + 1);
            Assert.Equal(state.Epoch, state.History.Count);
            Assert.NotEmpty(SafeTensors.Load(checkpoint).Tensors);
        }
    }
}
