using Hubel.Tensors;

namespace Hubel.Optim;

/// <summary>Updates parameters from their gradients. <see cref="Step"/> runs outside the autograd tape.</summary>
public abstract class Optimizer
{
    protected Optimizer(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("optimizer got an empty parameter list", nameof(parameters));
        foreach (var p in Parameters)
            if (!p.IsLeaf || !p.IsContiguous)
                throw new ArgumentException("optimizers update leaf, contiguous tensors (module parameters)", nameof(parameters));
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Learning rate; schedules change it between steps.</summary>
    public abstract double LearningRate { get; set; }

    public abstract void Step();

    /// <summary>Drops gradients (set to null, as PyTorch's zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.Grad = null;
    }
}
