namespace Hubel.Nn;

/// <summary>Records which modules ran, in order, with their input and output shapes, while a forward pass
/// runs inside <c>using (var trace = ForwardTrace.Start()) { model.Call(x); }</c>. Used by the model summary;
/// thread-local, so concurrent training elsewhere is unaffected.</summary>
public sealed class ForwardTrace : IDisposable
{
    [ThreadStatic] private static ForwardTrace? _current;
    private readonly ForwardTrace? _previous;
    private readonly List<(Module Module, int[] InputShape, int[] OutputShape)> _events = [];
    private readonly List<Tensor>? _outputs;

    private ForwardTrace(bool keepOutputs)
    {
        _outputs = keepOutputs ? [] : null;
        _previous = _current;
        _current = this;
    }

    internal static ForwardTrace? Current => _current;

    /// <param name="keepOutputs">also keep each module's output (detached), e.g. to draw feature maps.</param>
    public static ForwardTrace Start(bool keepOutputs = false) => new(keepOutputs);

    /// <summary>The outputs in event order; empty unless started with keepOutputs.</summary>
    public IReadOnlyList<Tensor> Outputs => (IReadOnlyList<Tensor>?)_outputs ?? [];

    public IReadOnlyList<(Module Module, int[] InputShape, int[] OutputShape)> Events => _events;

    internal void Record(Module module, Tensor input, Tensor output)
    {
        _events.Add((module, input.Shape.ToArray(), output.Shape.ToArray()));
        _outputs?.Add(output.Detach());
    }

    public void Dispose() => _current = _previous;
}
