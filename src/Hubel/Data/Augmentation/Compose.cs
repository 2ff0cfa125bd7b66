using Hubel.Tensors;

namespace Hubel.Data.Augmentation;

/// <summary>Applies several augmentations one after the other, in the given order.</summary>
public sealed class Compose : IAugmentation
{
    private readonly IAugmentation[] _steps;

    public Compose(params IReadOnlyList<IAugmentation> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        for (int i = 0; i < steps.Count; i++)
            if (steps[i] is null) throw new ArgumentNullException(nameof(steps), $"steps[{i}] is null");
        _steps = [.. steps];
    }

    public IReadOnlyList<IAugmentation> Steps => _steps;

    public void Apply(ImageBatch batch, Rng rng)
    {
        foreach (var step in _steps) step.Apply(batch, rng);
    }

    public override string ToString() => string.Join(",", _steps.Select(s => s.ToString()));
}
