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
        // Storage of gradients that only this pass holds, which it may therefore add into or hand to a leaf (see Owned).
        // The seed never is (the caller holds it); nor, with retainGraph, is anything a grad_fn returns (its closure lives on).
        var owned = new HashSet<Array>(ReferenceEqualityComparer.Instance);
        var foreign = retainGraph ? null : ForeignStorage(order, seed);

        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!grads.Remove(t, out var g)) continue;
            // g leaves the table here: whatever fn returns may alias it, so it is nobody's to write into any more.
            bool gOwned = owned.Remove(g.Storage);
            if (t.GradFn is null)
            {
                clock = OpProfiler.Start();
                Accumulate(t, g, gOwned);
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
                if (!grads.TryGetValue(input, out var prev))
                {
                    grads[input] = ig;
                    if (foreign is not null && Owned(ig, k, inputGrads, g, foreign)) owned.Add(ig.Storage);
                }
                else if (owned.Contains(prev.Storage)) prev.AddInPlace(ig);   // the second use of a tensor: add in place
                else
                {
                    var sum = prev.AddNoGrad(ig);   // a new tensor, so ours from now on
                    grads[input] = sum;
                    if (foreign is not null) owned.Add(sum.Storage);
                }
            }
            OpProfiler.Stop(OpProfiler.BackwardPhase, "(sum of gradients)", clock);
        }
    }

    /// <summary>Whether gradient k that a grad_fn just returned is a tensor nobody else can see: a whole, contiguous array of
    /// its own, not the incoming gradient (identity-like rules pass it on, views share its array), not an array a sibling
    /// gradient uses (add returns the same tensor for both inputs), and not the storage of any tensor of the graph or of the
    /// seed (a rule that returned a saved forward tensor). The grad_fn itself is freed right after (no retainGraph), so
    /// nothing it saved outlives the call. Everything else a rule returns was allocated by it for the caller.</summary>
    private static bool Owned(Tensor ig, int k, Tensor?[] siblings, Tensor incoming, HashSet<Array> foreign)
    {
        var storage = ig.Storage;
        if (ig.Offset != 0 || storage.Length != ig.Numel || !ig.IsContiguous) return false;
        if (ReferenceEquals(storage, incoming.Storage) || foreign.Contains(storage)) return false;
        for (int j = 0; j < siblings.Length; j++)
            if (j != k && siblings[j] is { } s && ReferenceEquals(s.Storage, storage)) return false;
        return true;
    }

    /// <summary>Arrays that belong to the graph's tensors (activations, parameters, inputs, constants the ops read, and every
    /// view of them), to the leaves' existing gradients, or to the seed.</summary>
    private static HashSet<Array> ForeignStorage(List<Tensor> order, Tensor seed)
    {
        var set = new HashSet<Array>(ReferenceEqualityComparer.Instance) { seed.Storage };
        foreach (var t in order)
        {
            set.Add(t.Storage);
            if (t.Grad is { } grad) set.Add(grad.Storage);
            if (t.GradFn is { } fn) foreach (var input in fn.Inputs) set.Add(input.Storage);   // constants an op read, too
        }
        return set;
    }

    /// <summary>Adds g into the leaf's gradient; the first gradient of a leaf is g itself when this pass owns it (no copy),
    /// else a copy, so later in-place accumulation never writes into a tensor someone else holds.</summary>
    private static void Accumulate(Tensor leaf, Tensor g, bool owned)
    {
        if (leaf.Grad is null) leaf.Grad = owned && g.DType == leaf.DType ? g : g.Clone().To(leaf.DType);
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
