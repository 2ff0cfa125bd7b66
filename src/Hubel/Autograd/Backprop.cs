using Hubel.Analysis;
using Hubel.Tensors;

namespace Hubel.Autograd;

/// <summary>Reverse-mode pass: orders the recorded ops topologically from the root, then walks them
/// backwards, summing the gradient contributions of every use of a tensor.</summary>
internal static class Backprop
{
    public static void Run(Tensor root, Tensor? seed, bool retainGraph)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward(): this tensor does not require grad and has no grad_fn; set RequiresGrad on a leaf that produced it");
        if (seed is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException(
                    $"Backward() without a gradient is only defined for a scalar; this tensor has shape {ShapeMath.Format(root.ShapeArray)}. Pass a gradient of that shape.");
            seed = Tensor.Ones(root.ShapeArray, root.DType);
        }
        else if (!seed.Shape.SequenceEqual(root.Shape))
            throw new ArgumentException($"gradient shape {ShapeMath.Format(seed.ShapeArray)} does not match tensor shape {ShapeMath.Format(root.ShapeArray)}", nameof(seed));

        using var _ = Graph.NoGrad();
        long clock = OpProfiler.Start();
        var order = TopologicalOrder(root);
        OpProfiler.Stop(OpProfiler.BackwardPhase, "(topological order)", clock);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = seed.To(root.DType) };

        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!grads.Remove(t, out var g)) continue;
            if (t.GradFn is null)
            {
                clock = OpProfiler.Start();
                Accumulate(t, g);
                OpProfiler.Stop(OpProfiler.BackwardPhase, "(leaf gradient)", clock);
                continue;
            }
            var fn = t.GradFn;
            clock = OpProfiler.Start();
            var inputGrads = fn.Apply(g);
            if (!retainGraph) fn.Free();
            OpProfiler.Stop(OpProfiler.BackwardPhase, fn.Name, clock);
            clock = OpProfiler.Start();
            for (int k = 0; k < fn.Inputs.Length; k++)
            {
                var input = fn.Inputs[k];
                var ig = inputGrads[k];
                if (ig is null || !input.RequiresGrad) continue;
                if (!ig.Shape.SequenceEqual(input.Shape))
                    throw new InvalidOperationException($"{fn.Name}: gradient for input {k} has shape {ShapeMath.Format(ig.ShapeArray)}, expected {ShapeMath.Format(input.ShapeArray)}");
                grads[input] = grads.TryGetValue(input, out var prev) ? prev.AddNoGrad(ig) : ig;
            }
            OpProfiler.Stop(OpProfiler.BackwardPhase, "(sum of gradients)", clock);
        }
    }

    private static void Accumulate(Tensor leaf, Tensor g)
    {
        if (leaf.Grad is null) leaf.Grad = g.Clone().To(leaf.DType);
        else leaf.Grad.AddInPlace(g);
        BackwardHooks.LeafGradientReady(leaf);
    }

    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor node, bool expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (node, expanded) = stack.Pop();
            if (expanded) { order.Add(node); continue; }
            if (!visited.Add(node)) continue;
            stack.Push((node, true));
            if (node.GradFn is { } fn)
                foreach (var input in fn.Inputs)
                    if (input.RequiresGrad && !visited.Contains(input)) stack.Push((input, false));
        }
        return order;
    }
}
