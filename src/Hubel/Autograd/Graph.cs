using Hubel.Tensors;

namespace Hubel.Autograd;

/// <summary>Recording switch for the tape. Ops call <see cref="Record"/> after computing their
/// output; it does nothing inside <see cref="NoGrad"/> or when no input needs a gradient.</summary>
public static class Graph
{
    [ThreadStatic] private static int _noGradDepth;

    /// <summary>True when ops record themselves for backward on this thread.</summary>
    public static bool IsEnabled => _noGradDepth == 0;

    /// <summary>Disables recording until the returned scope is disposed: <c>using (Graph.NoGrad()) { ... }</c>.</summary>
    public static NoGradScope NoGrad()
    {
        _noGradDepth++;
        return new NoGradScope();
    }

    public readonly struct NoGradScope : IDisposable
    {
        public void Dispose() => _noGradDepth--;
    }

    internal static bool NeedsGrad(Tensor a) => IsEnabled && a.RequiresGrad;
    internal static bool NeedsGrad(Tensor a, Tensor? b) => IsEnabled && (a.RequiresGrad || (b?.RequiresGrad ?? false));
    internal static bool NeedsGrad(Tensor a, Tensor? b, Tensor? c) =>
        IsEnabled && (a.RequiresGrad || (b?.RequiresGrad ?? false) || (c?.RequiresGrad ?? false));

    /// <summary>Attaches a backward rule to <paramref name="output"/> when any input requires grad.
    /// Inputs that are null (e.g. an absent bias) are skipped; the rule returns one gradient per
    /// non-null input, in order, or null where that input needs none.</summary>
    internal static Tensor Record(Tensor output, string name, Tensor?[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!IsEnabled) return output;
        bool any = false;
        foreach (var t in inputs) any |= t is not null && t.RequiresGrad;
        if (!any) return output;
        var present = inputs.Where(t => t is not null).Cast<Tensor>().ToArray();
        output.GradFn = new GradFn(name, present, backward);
        output.RequiresGrad = true;
        return output;
    }
}
