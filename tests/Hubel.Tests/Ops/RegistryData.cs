using System.Text.Json;
using Hubel.Ops.Registry;
using Hubel.Tensors;

namespace Hubel.Tests.Ops;

/// <summary>Theory data over <see cref="OpRegistry"/> and the stored PyTorch values.
/// Golden values: tests/Hubel.Tests/Golden/parity/&lt;op&gt;.json (one file per op, so op families can be added and
/// regenerated independently), made by tools/golden/gen_parity.py from the samples
/// tools/SampleDump writes (commands in tools/golden/README.md and in the file's "generator" field).</summary>
public static class RegistryData
{
    public const string Regenerate =
        "regenerate with: dotnet run --project tools/SampleDump -- out/golden-samples.json && " +
        "/usr/bin/python3 tools/golden/gen_parity.py out/golden-samples.json tests/Hubel.Tests/Golden/parity [--ops OP] " +
        "(see tools/golden/README.md)";

    public static TheoryData<string> SampleIds => [.. OpRegistry.AllSamples.Select(x => x.Sample.Id)];

    public static TheoryData<string> BatchedSampleIds =>
        [.. OpRegistry.AllSamples.Where(x => x.Sample.BatchedInputs is not null).Select(x => x.Sample.Id)];

    /// <summary>"op: description" of every error case.</summary>
    public static TheoryData<string> ErrorCaseKeys => [.. OpRegistry.AllErrorCases.Select(x => Key(x.Op, x.Error))];

    /// <summary>(sample id, layout) wherever that layout makes at least one input non-contiguous.</summary>
    public static TheoryData<string, Layout> NonContiguousCases
    {
        get
        {
            var data = new TheoryData<string, Layout>();
            foreach (var (_, s) in OpRegistry.AllSamples)
                foreach (var layout in Enum.GetValues<Layout>())
                    if (s.InputShapes.Any(shape => Views.CanMakeNonContiguous(shape, layout))) data.Add(s.Id, layout);
            return data;
        }
    }

    public static string Key(OpInfo op, ErrorCase e) => $"{op.Name}: {e.Description}";

    public static (OpInfo Op, ErrorCase Error) ErrorCase(string key) =>
        OpRegistry.AllErrorCases.Single(x => Key(x.Op, x.Error) == key);

    private static readonly Lazy<Dictionary<string, JsonElement>?> _golden = new(() =>
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Golden", "parity");
        if (!Directory.Exists(dir)) return null;
        var all = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal))
            foreach (var entry in JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("samples").EnumerateObject())
                if (!all.TryAdd(entry.Name, entry.Value))
                    throw new Xunit.Sdk.XunitException($"sample '{entry.Name}' appears in two golden files (second: {Path.GetFileName(file)})");
        return all;
    });

    /// <summary>Every stored sample, merged over Golden/parity/*.json; fails (never skips) when the folder is missing.</summary>
    public static IReadOnlyDictionary<string, JsonElement> GoldenSamples =>
        _golden.Value ?? throw new Xunit.Sdk.XunitException($"Golden/parity/ is missing from the test output; {Regenerate}");

    /// <summary>The stored PyTorch entry of a sample; fails with the regeneration command when it is
    /// missing or was computed from other input values.</summary>
    public static GoldenEntry Golden(OpSample sample)
    {
        if (!GoldenSamples.TryGetValue(sample.Id, out var e))
            Assert.Fail($"no golden PyTorch values for sample '{sample.Id}'; {Regenerate}");
        string stored = e.GetProperty("fingerprint").GetString()!, now = sample.Fingerprint();
        if (stored != now)
            Assert.Fail($"golden values for '{sample.Id}' were computed from other inputs (fingerprint {stored}, registry now {now}); {Regenerate}");
        var grads = e.GetProperty("grads").EnumerateArray()
            .Select(g => g.ValueKind == JsonValueKind.Null ? null : g.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        return new GoldenEntry(
            e.GetProperty("out_shape").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
            e.GetProperty("out").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            grads);
    }

    public static IEnumerable<string> GoldenIds => GoldenSamples.Keys;
}

public sealed record GoldenEntry(int[] OutShape, double[] Out, double[]?[] Grads);

/// <summary>Non-contiguous views with the same logical values as a contiguous tensor.</summary>
public enum Layout
{
    /// <summary>A reversed-dimension permutation of a tensor stored transposed.</summary>
    Permuted,
    /// <summary>Every other element of a buffer twice as long in the last dimension, the gaps filled with NaN
    /// (an op that reads the wrong element produces NaN).</summary>
    Strided,
}

public static class Views
{
    public static bool CanMakeNonContiguous(int[] shape, Layout layout) =>
        !View(Tensor.Zeros(shape, DType.Float64), layout).View.IsContiguous;

    /// <summary>A new leaf holding x's values in another layout, and the view of it that reads as x.
    /// <see cref="FromLeaf"/> maps a tensor of the leaf's layout (its gradient) back to x's order.</summary>
    public static (Tensor Leaf, Tensor View) View(Tensor x, Layout layout)
    {
        if (x.Rank == 0) return (x, x);
        var values = x.ToDoubleArray();
        Tensor leaf;
        if (layout == Layout.Permuted)
        {
            var reversed = Enumerable.Range(0, x.Rank).Reverse().ToArray();
            leaf = Tensor.FromArray(values, x.Shape.ToArray()).Permute(reversed).Contiguous().Clone();
        }
        else
        {
            var shape = x.Shape.ToArray();
            int last = shape[^1];
            shape[^1] = 2 * last;
            var buffer = new double[values.Length * 2];
            Array.Fill(buffer, double.NaN);
            for (int i = 0; i < values.Length; i++) buffer[i / last * 2 * last + i % last * 2] = values[i];
            leaf = Tensor.FromArray(buffer, shape);
        }
        leaf = leaf.To(x.DType);
        return (leaf, FromLeaf(leaf, x.Rank, layout));
    }

    public static Tensor FromLeaf(Tensor leaf, int rank, Layout layout) =>
        rank == 0 ? leaf
        : layout == Layout.Permuted ? leaf.Permute(Enumerable.Range(0, rank).Reverse().ToArray())
        : leaf.Slice(-1, 0, leaf.Size(-1), 2);
}

public static class Tolerant
{
    /// <summary>Asserts |actual - expected| &lt;= atol + rtol·|expected| elementwise, reporting the worst element.</summary>
    public static void Equal(string what, double[] actual, double[] expected, double atol, double rtol)
    {
        Assert.True(actual.Length == expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        int bad = 0, worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]), ratio = err / (atol + rtol * Math.Abs(expected[i]));
            if (double.IsNaN(actual[i]) != double.IsNaN(expected[i])) ratio = double.PositiveInfinity;
            else if (double.IsNaN(actual[i])) ratio = 0;
            if (ratio > 1) bad++;
            if (ratio > worstRatio) (worstRatio, worst) = (ratio, i);
        }
        if (bad > 0)
            Assert.Fail($"{what}: {bad} of {actual.Length} values differ; worst at flat index {worst}: got {actual[worst]:G10}, " +
                $"expected {expected[worst]:G10} (|diff| {Math.Abs(actual[worst] - expected[worst]):G3}, allowed {atol:G2} + {rtol:G2}·|expected|)");
    }
}
