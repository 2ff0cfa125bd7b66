using Hubel.Backends.Cpu;
using Hubel.Serialization;

namespace Hubel.Tests.Robustness;

/// <summary>The determinism switch: same seed, same weights bit for bit, at one thread and at two.</summary>
public class DeterminismTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-det-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private Dictionary<string, float[]> Train(string data, int threads, string name)
    {
        using var run = new HubelProcess("train", "--dataset", "fashion-mnist", "--data", data, "--epochs", "2", "--json", "--seed", "11",
            "--batch-size", "64", "--threads", $"{threads}", "--deterministic", "--out", P(name));
        Assert.True(run.WaitForExit() == 0, run.Stderr);
        return SafeTensors.Load(P(name)).Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.ToFloatArray());
    }

    [Fact]
    public void Deterministic_training_gives_bitwise_identical_weights_at_one_and_two_threads()
    {
        string data = TinyData.Create(P("data"), train: 384, test: 64);
        var one = Train(data, 1, "one.safetensors");
        var two = Train(data, 2, "two.safetensors");
        var twoAgain = Train(data, 2, "two-again.safetensors");
        Assert.Equal(one.Keys.Order(), two.Keys.Order());
        foreach (var name in one.Keys)
        {
            Assert.Equal(one[name], two[name]);        // 1 thread vs 2 threads
            Assert.Equal(two[name], twoAgain[name]);   // run to run
        }
        Assert.NotEqual(0f, one["conv1.weight"].Sum(MathF.Abs));
    }

    [Fact]
    public void The_switch_fixes_how_reductions_are_split_and_restores_itself()
    {
        Assert.False(Determinism.Enabled);
        Assert.Equal(Math.Min(CpuThreads.Count, 64), CpuThreads.WorkersFor(64));
        using (Determinism.Scope())
        {
            Assert.True(Determinism.Enabled);
            Assert.Equal(Determinism.Chunks, CpuThreads.WorkersFor(64));   // whatever the thread count
            Assert.Equal(3, CpuThreads.WorkersFor(3));
            var e = Assert.Throws<InvalidOperationException>(() => Determinism.RequireDeterministicKernel("scatter_add", "atomic accumulation"));
            Assert.Contains("scatter_add", e.Message);
        }
        Assert.False(Determinism.Enabled);
        Determinism.RequireDeterministicKernel("scatter_add", "atomic accumulation");   // allowed while the switch is off
    }
}
