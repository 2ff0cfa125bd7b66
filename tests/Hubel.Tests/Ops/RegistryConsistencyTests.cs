using Hubel.Ops.Registry;
using Hubel.Tensors;

namespace Hubel.Tests.Ops;

/// <summary>Layout and batch independence over the registry (float64): a batch gives each image the result
/// it gets alone, and a non-contiguous view gives the result of its contiguous copy, gradients included.</summary>
public class RegistryConsistencyTests
{
    private const double Atol = 1e-12, Rtol = 1e-10;

    [Theory]
    [MemberData(nameof(RegistryData.BatchedSampleIds), MemberType = typeof(RegistryData))]
    public void EachImageAloneMatchesTheBatch(string id)
    {
        var (_, sample) = OpRegistry.Sample(id);
        var batched = sample.BatchedInputs!;
        var inputs = sample.MakeInputs();
        var output = sample.Invoke(inputs);
        int n = inputs[batched[0]].Size(0);
        Assert.All(batched, i => Assert.Equal(n, inputs[i].Size(0)));
        Assert.Equal(n, output.Size(0));
        var upstream = sample.MakeUpstream(output.Shape.ToArray());
        output.Backward(upstream);

        for (int b = 0; b < n; b++)
        {
            var single = inputs.Select((t, i) =>
            {
                var copy = batched.Contains(i) ? t.Detach().Slice(0, b, b + 1).Clone() : t.Detach().Clone();
                return sample.IsDifferentiable(i) ? copy.RequireGrad() : copy;
            }).ToArray();
            var y = sample.Invoke(single);
            Assert.Equal(output.Slice(0, b, b + 1).Shape.ToArray(), y.Shape.ToArray());
            Tolerant.Equal($"{id} image {b} output", y.ToDoubleArray(), output.Detach().Slice(0, b, b + 1).ToDoubleArray(), Atol, Rtol);
            y.Backward(upstream.Slice(0, b, b + 1).Contiguous());
            foreach (int i in batched.Where(sample.IsDifferentiable))
                Tolerant.Equal($"{id} image {b} gradient of input {i}", single[i].Grad!.ToDoubleArray(),
                    inputs[i].Grad!.Slice(0, b, b + 1).ToDoubleArray(), Atol, Rtol);
        }
    }

    [Theory]
    [MemberData(nameof(RegistryData.NonContiguousCases), MemberType = typeof(RegistryData))]
    public void NonContiguousInputsMatchContiguousCopies(string id, Layout layout)
    {
        var (_, sample) = OpRegistry.Sample(id);
        var inputs = sample.MakeInputs();
        var expected = sample.Invoke(inputs);
        var upstream = sample.MakeUpstream(expected.Shape.ToArray());
        expected.Backward(upstream);

        var leaves = new Tensor[inputs.Length];
        var views = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            (leaves[i], views[i]) = Views.View(inputs[i].Detach(), layout);
            if (sample.IsDifferentiable(i))
            {
                leaves[i].RequiresGrad = true;
                views[i] = Views.FromLeaf(leaves[i], inputs[i].Rank, layout);
            }
            Tolerant.Equal($"{id} view of input {i}", views[i].ToDoubleArray(), inputs[i].ToDoubleArray(), 0, 0);
        }
        Assert.Contains(views, v => !v.IsContiguous);

        var actual = sample.Invoke(views);
        Tolerant.Equal($"{id} {layout} output", actual.ToDoubleArray(), expected.ToDoubleArray(), Atol, Rtol);
        actual.Backward(upstream);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!sample.IsDifferentiable(i)) continue;
            var grad = leaves[i].Grad ?? throw new Xunit.Sdk.XunitException($"{id} {layout}: input {i} got no gradient through its view");
            Tolerant.Equal($"{id} {layout} gradient of input {i}", Views.FromLeaf(grad, inputs[i].Rank, layout).ToDoubleArray(),
                inputs[i].Grad!.ToDoubleArray(), Atol, Rtol);
            if (layout == Layout.Strided && inputs[i].Rank > 0)
                Assert.True(grad.ToDoubleArray().Where((_, k) => k % 2 == 1).All(v => v == 0), $"{id}: gradient leaked into the gaps of input {i}");
        }
    }
}
