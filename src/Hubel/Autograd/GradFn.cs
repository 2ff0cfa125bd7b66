using Hubel.Analysis;
using Hubel.Tensors;

namespace Hubel.Autograd;

/// <summary>
/// One recorded op on the tape: the tensors it read and the rule that turns the gradient of its
/// output into gradients of its inputs. The rule closes over whatever the forward pass saved; after
/// a backward pass without retainGraph it is released, so a second pass fails loudly.
/// </summary>
public sealed class GradFn
{
    private Func<Tensor, Tensor?[]>? _backward;

    internal GradFn(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        Name = name;
        Inputs = inputs;
        _backward = backward;
        if (OpProfiler.Enabled) OpProfiler.ForwardOp(name);   // the op just ran: charge it the time since the last boundary
    }

    /// <summary>Op name, as in PyTorch's grad_fn (e.g. "conv2d").</summary>
    public string Name { get; }

    internal Tensor[] Inputs { get; private set; }

    internal bool IsFreed => _backward is null;

    internal Tensor?[] Apply(Tensor gradOutput)
    {
        var rule = _backward ?? throw new InvalidOperationException(
            $"trying to backward through the graph a second time ({Name}): its saved tensors were freed after the first Backward(); pass retainGraph: true to the first call");
        var grads = rule(gradOutput);
        if (grads.Length != Inputs.Length)
            throw new InvalidOperationException($"{Name}: backward returned {grads.Length} gradients for {Inputs.Length} inputs");
        return grads;
    }

    internal void Free() => _backward = null;
}
