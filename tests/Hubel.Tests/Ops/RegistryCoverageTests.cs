using System.Reflection;
using Hubel.Ops;
using Hubel.Ops.Registry;

namespace Hubel.Tests.Ops;

/// <summary>The registry itself: every public op of F has an entry, entries are well-formed, the samples cover
/// the cases the notes care about, and the golden file holds exactly the registry's samples.</summary>
public class RegistryCoverageTests
{
    private static string Signature(MethodInfo m) =>
        $"{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";

    [Fact]
    public void EveryPublicMethodOfFHasARegistryEntry()
    {
        var covered = OpRegistry.All.Where(o => o.Method is not null).Select(o => o.Method!.Method).ToHashSet();
        var missing = typeof(F).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => !covered.Contains(m)).Select(Signature).ToList();
        Assert.True(missing.Count == 0,
            $"F methods with no OpRegistry entry (add one in src/Hubel/Ops/Registry, then regenerate the golden file): {string.Join("; ", missing)}");
        Assert.All(covered, m => Assert.Equal(typeof(F), m.DeclaringType));
    }

    [Fact]
    public void EntriesAreWellFormed()
    {
        Assert.Equal(OpRegistry.All.Count, OpRegistry.All.Select(o => o.Name).Distinct().Count());
        var ids = OpRegistry.AllSamples.Select(x => x.Sample.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var op in OpRegistry.All)
        {
            Assert.True(op.Samples.Count > 0, $"{op.Name} has no samples");
            Assert.True(op.ErrorCases.Count > 0, $"{op.Name} has no error cases");
            Assert.Equal(op.ErrorCases.Count, op.ErrorCases.Select(e => e.Description).Distinct().Count());
            Assert.All(op.ErrorCases, e => Assert.True(typeof(ArgumentException).IsAssignableFrom(e.Exception), $"{op.Name}: {e.Description}"));
            foreach (var s in op.Samples)
            {
                Assert.StartsWith(op.Name + "/", s.Id);
                Assert.True(s.Differentiable is null || s.Differentiable.Length == s.InputShapes.Length, s.Id);
                Assert.True(s.Values is null || s.Values.Length == s.InputShapes.Length, s.Id);
                Assert.True(Enumerable.Range(0, s.InputShapes.Length).Any(s.IsDifferentiable), $"{s.Id}: no differentiable input");
                Assert.True(s.BatchedInputs is null || s.BatchedInputs.All(i => i >= 0 && i < s.InputShapes.Length), s.Id);
                Assert.All(s.Attributes.Values, v => Assert.True(v is int or int[] or double or bool or string, $"{s.Id}: attribute of type {v.GetType().Name}"));
            }
        }
    }

    [Fact]
    public void GoldenFileHoldsExactlyTheRegistrySamples()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Golden", "parity");
        foreach (var file in Directory.GetFiles(dir, "*.json"))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
            Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("generator").GetString()), file);
            Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("torch_version").GetString()), file);
        }
        var registry = OpRegistry.AllSamples.Select(x => x.Sample.Id).ToHashSet();
        var golden = RegistryData.GoldenIds.ToHashSet();
        var stale = golden.Except(registry).ToList();
        var missing = registry.Except(golden).ToList();
        Assert.True(stale.Count == 0 && missing.Count == 0,
            $"golden file out of date (stale: {string.Join(", ", stale)}; missing: {string.Join(", ", missing)}); {RegistryData.Regenerate}");
    }

    private static IEnumerable<(OpSample S, IReadOnlyDictionary<string, object> A)> Samples(string op) =>
        OpRegistry.All.Single(o => o.Name == op).Samples.Select(s => (s, s.Attributes));

    private static int[] Ints(IReadOnlyDictionary<string, object> a, string key) => (int[])a[key];

    [Fact]
    public void ConvSamplesCoverTheNotesCases()
    {
        var conv = Samples("conv2d").ToList();
        Assert.Contains(conv, c => c.S.InputShapes[0][0] == 1);                                             // batch 1
        Assert.Contains(conv, c => c.S.InputShapes[1][2] != c.S.InputShapes[1][3]);                        // non-square kernel
        Assert.Contains(conv, c => c.S.InputShapes[0][2] != c.S.InputShapes[0][3]);                        // non-square input
        Assert.Contains(conv, c => Ints(c.A, "stride").Max() > Math.Max(c.S.InputShapes[1][2], c.S.InputShapes[1][3])); // stride > kernel
        Assert.Contains(conv, c => (int)c.A["groups"] > 1 && (int)c.A["groups"] < c.S.InputShapes[0][1]);   // grouped
        Assert.Contains(conv, c => (int)c.A["groups"] == c.S.InputShapes[0][1]);                            // depthwise
        Assert.Contains(conv, c => Ints(c.A, "dilation").Max() > 1);
        Assert.Contains(conv, c => c.S.InputShapes.Length == 2);                                            // no bias
        Assert.Contains(conv, c => c.S.InputShapes.Length == 3);
        foreach (var kind in new[] { "valid", "same", "full" }) Assert.Contains(conv, c => c.A["padding"] as string == kind);
        Assert.Contains(conv, c => c.A["padding"] is int[] p && (p[0] != p[1] || p[2] != p[3]));           // asymmetric explicit
        Assert.Contains(conv, c => c.A["padding"] as string == "same" && (c.S.InputShapes[1][2] % 2 == 0 || c.S.InputShapes[1][3] % 2 == 0));
        var oneByOne = conv.Where(c => c.S.Run().Shape[2] == 1 && c.S.Run().Shape[3] == 1);
        Assert.NotEmpty(oneByOne);
    }

    [Fact]
    public void PoolSoftmaxArithmeticAndMatMulSamplesCoverTheNotesCases()
    {
        foreach (var op in new[] { "max_pool2d", "avg_pool2d" })
        {
            var pool = Samples(op).ToList();
            Assert.Contains(pool, p => (bool)p.A["ceil_mode"]);
            Assert.Contains(pool, p => !(bool)p.A["ceil_mode"]);
            Assert.Contains(pool, p => Ints(p.A, "kernel_size").SequenceEqual([3, 3]) && Ints(p.A, "stride").SequenceEqual([2, 2]));
            Assert.Contains(pool, p => Ints(p.A, "stride").Min() > Ints(p.A, "kernel_size").Max());
            Assert.Contains(pool, p => Ints(p.A, "padding").Max() > 0);
            Assert.Contains(pool, p => p.S.InputShapes[0][0] == 1);
        }
        var avg = Samples("avg_pool2d").ToList();
        Assert.Contains(avg, p => (bool)p.A["count_include_pad"] && Ints(p.A, "padding").Max() > 0);
        Assert.Contains(avg, p => !(bool)p.A["count_include_pad"] && Ints(p.A, "padding").Max() > 0);
        foreach (var op in new[] { "softmax", "log_softmax" })
            foreach (var dim in new[] { 0, 1, -1 })
                Assert.Contains(Samples(op), s => (int)s.A["dim"] == dim);
        foreach (var op in new[] { "add", "sub", "mul", "div" })
            Assert.Contains(Samples(op), s => !s.S.InputShapes[0].SequenceEqual(s.S.InputShapes[1]));
        Assert.Contains(Samples("matmul"), s => s.S.InputShapes[0].Length == 2);
        Assert.Contains(Samples("matmul"), s => s.S.InputShapes[0].Length == 3);
    }
}
