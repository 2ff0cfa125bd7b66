using Hubel.Imaging;
using Hubel.Tensors;
using Hubel.Tests.Cli;

namespace Hubel.Tests.Distributed;

/// <summary>`hubel train --distributed --sync-bn` under `mpirun -np 2`: ResNet-20 (19 batch-norm layers) on tiny
/// pictures, 2 ranks with 8 images each per step, must end where 1 process with 16 per step ends; without --sync-bn
/// each rank normalises with its own 8 images and the runs part.</summary>
public sealed class SyncBatchNormMpiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-syncbn-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    /// <summary>80 noisy 8x8 colour pictures in two classes (64 train and 16 test after the folder's 20% hold-out).</summary>
    private string WritePictures()
    {
        string root = P("pictures");
        var rng = new Rng(9);
        foreach (var (name, bright) in new[] { ("bright", true), ("dark", false) })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int i = 0; i < 40; i++)
            {
                var v = new float[3 * 8 * 8];
                for (int p = 0; p < v.Length; p++) v[p] = (bright ? 0.55f : 0.2f) + (float)rng.NextDouble() * 0.4f;
                ImageFile.SavePng(Path.Combine(root, name, $"{i:D2}.png"), Tensor.FromArray(v, [3, 8, 8]));
            }
        }
        return root;
    }

    [Fact]
    public void Two_ranks_with_sync_bn_end_equal_to_one_rank_with_the_whole_batch_and_differ_without_it()
    {
        string[] common = ["train", "--distributed", "--model", "resnet20", "--dataset", "folder", "--data", WritePictures(),
            "--batch-size", "16", "--epochs", "2", "--lr", "0.05", "--threads", "1", "--seed", "4", "--json"];
        var (code, one, stderr) = CliProcess.Run([.. common, "--out", P("one.safetensors")]);
        Assert.True(code == 0, stderr);
        Assert.Contains("\"steps\":4", one);
        (code, var synced, stderr) = MpiRun.Run(2, [.. common, "--sync-bn", "--out", P("synced.safetensors")]);
        Assert.True(code == 0, $"mpirun -np 2 --sync-bn failed ({code}): {stderr}");
        Assert.All(synced.Trim().Split('\n'), l => Assert.Contains("\"world_size\":2", l));
        (code, _, stderr) = MpiRun.Run(2, [.. common, "--out", P("plain.safetensors")]);
        Assert.True(code == 0, $"mpirun -np 2 failed ({code}): {stderr}");

        // Weights, biases and the running statistics of all 19 batch norms, after 8 steps.
        var (same, where) = MpiRun.WorstRelativeDifference(P("one.safetensors"), P("synced.safetensors"));
        Assert.True(same < 1e-4, $"with --sync-bn: largest relative difference {same:G3} at {where}");
        var (apart, at) = MpiRun.WorstRelativeDifference(P("one.safetensors"), P("plain.safetensors"));
        TestContext.Current.TestOutputHelper?.WriteLine($"1 rank vs 2 ranks: {same:G3} with --sync-bn ({where}), {apart:G3} without ({at})");
        Assert.True(apart > 1e-2, $"without --sync-bn the runs should part; largest relative difference only {apart:G3} at {at}");
    }
}
