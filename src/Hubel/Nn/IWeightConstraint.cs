namespace Hubel.Nn;

/// <summary>A module whose weights must stay inside a set (Kim's and Hinton et al.'s max-norm: each weight vector's
/// 2-norm at most s). Gradient steps leave the set, so the training loop projects back after every optimiser step:
/// <see cref="Training.Trainer"/> calls <see cref="ApplyConstraint"/> on every such module of its model.</summary>
public interface IWeightConstraint
{
    /// <summary>Moves the weights back into the allowed set, in place, outside the autograd tape.</summary>
    void ApplyConstraint();
}
