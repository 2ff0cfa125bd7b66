using System.Text.Json;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Optim;
using Hubel.Tensors;

namespace Hubel.Tests.Models;

/// <summary>Shared pieces of the zoo tests: the torchvision golden files, seeded inputs, and a few SGD steps.</summary>
internal static class ZooTestKit
{
    /// <summary>Zoo name -> golden file (tests/Hubel.Tests/Golden/zoo/*.json, written by tools/golden/gen_zoo.py).</summary>
    public static string GoldenFile(string zooName) => Path.Combine(AppContext.BaseDirectory, "Golden", "zoo", zooName.Replace('-', '_') + ".json");

    public static IEnumerable<string> GoldenNames() =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Golden", "zoo"), "*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f).Replace("googlenet_aux", "googlenet-aux")).Order(StringComparer.Ordinal);

    public static (long Parameters, string[] State) Golden(string zooName)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(GoldenFile(zooName)));
        var root = doc.RootElement;
        return (root.GetProperty("parameters").GetInt64(), root.GetProperty("state").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    /// <summary>Hubel's state in the golden format: "name d0,d1,...".</summary>
    public static string[] State(Module net) =>
        net.NamedState().Select(s => $"{s.Name} {string.Join(",", s.Value.Shape.ToArray())}").ToArray();

    public static Tensor Images(int n, int channels, int size, ulong seed = 7) =>
        Tensor.Uniform([n, channels, size, size], -1, 1, new Rng(seed));

    /// <summary>Runs <paramref name="steps"/> SGD steps on one batch and returns the loss before and
    /// after, both measured with dropout off (batch norm stays in training mode) so the comparison is not mask noise.</summary>
    public static (double Before, double After) Train(Module net, Tensor x, Func<Tensor, Tensor> loss, int steps = 5, double lr = 0.01, double momentum = 0.9)
    {
        var sgd = new Sgd(net.Parameters(), lr, momentum);
        double Measure()
        {
            net.Train();
            foreach (var (_, m) in net.NamedModules()) if (m is Dropout or Dropout2d) m.Eval();
            double value = loss(net.Call(x)).Item();
            net.Train();
            return value;
        }
        double before = Measure();
        for (int i = 0; i < steps; i++)
        {
            var l = loss(net.Call(x));
            sgd.ZeroGrad();
            l.Backward();
            sgd.Step();
        }
        return (before, Measure());
    }

    /// <summary>Tries the learning rates from the largest: restores the initial parameters, runs <paramref name="steps"/>
    /// plain SGD steps and stops at the first rate that lowers the loss. With correct gradients a small enough rate always
    /// does; batch norm over 4 images on 1x1 maps makes the surface so sharp that 0.01 can overshoot.</summary>
    public static (double Before, double After, double Lr) TrainWithSomeRate(Module net, Tensor x, Func<Tensor, Tensor> loss, int steps, double[] rates)
    {
        var initial = net.NamedState().Select(s => (s.Value, Copy: s.Value.Clone())).ToList();
        (double Before, double After) result = default;
        foreach (double lr in rates)
        {
            foreach (var (value, copy) in initial) value.CopyFrom(copy);
            result = Train(net, x, loss, steps, lr, momentum: 0);
            if (result.After < result.Before) return (result.Before, result.After, lr);
        }
        return (result.Before, result.After, rates[^1]);
    }

    public static Func<Tensor, Tensor> CrossEntropy(int[] labels) => logits => F.CrossEntropy(logits, labels);
}
