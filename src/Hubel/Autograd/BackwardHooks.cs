using Hubel.Tensors;

namespace Hubel.Autograd;

/// <summary>
/// Callbacks into the backward pass on the current thread. A leaf's gradient is complete when the pass reaches it
/// (every use of the leaf lies later in the recorded order, so all contributions have been summed), which is the
/// moment data-parallel training starts sending that gradient to the other processes while the rest of the pass runs.
/// </summary>
public static class BackwardHooks
{
    [ThreadStatic] private static Action<Tensor>? _leafGradientReady;

    /// <summary>Calls <paramref name="callback"/> with each leaf (parameter) right after its <see cref="Tensor.Grad"/>
    /// has received its full gradient in a backward pass on this thread, until the returned scope is disposed.
    /// Scopes nest; inner and outer callbacks both run.</summary>
    public static Scope OnLeafGradientReady(Action<Tensor> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var previous = _leafGradientReady;
        _leafGradientReady = previous + callback;
        return new Scope(previous);
    }

    internal static void LeafGradientReady(Tensor leaf) => _leafGradientReady?.Invoke(leaf);

    public readonly struct Scope : IDisposable
    {
        private readonly Action<Tensor>? _previous;
        internal Scope(Action<Tensor>? previous) => _previous = previous;
        public void Dispose() => _leafGradientReady = _previous;
    }
}
