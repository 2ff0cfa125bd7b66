using Hubel.Nn;
using Hubel.Optim;
using Hubel.Tensors;

namespace Hubel.Training;

/// <summary>What outlives a training step, for <see cref="MemoryScope"/>: everything a later step or the caller reads.</summary>
public static class TrainingMemory
{
    /// <summary>Keeps the model's parameters and buffers (a layer may replace a buffer rather than update it), every
    /// parameter's gradient (created by the first backward, or replaced by clipping or an all-reduce) and the optimiser's
    /// per-parameter buffers (created on the first step).</summary>
    public static void KeepTrainingState(this MemoryScope scope, Module model, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var (_, t) in model.NamedState()) scope.Keep(t);
        foreach (var p in optimizer.Parameters) { scope.Keep(p); scope.Keep(p.Grad); }
        foreach (var t in optimizer.BufferTensors()) scope.Keep(t);
    }
}
