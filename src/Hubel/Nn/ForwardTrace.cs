namespace Hubel.Nn;

/// <summary>Records which modules ran, in order, with their input and output shapes, while a forward pass
/// runs inside <c>using (var trace = ForwardTrace.Start()) { model.Call(x); }</c>. Used by the model summary;
/// thread-local, so concurrent training elsewhere is unaffected.</summary>
public sealed class ForwardTrace : IDisposable
{
    [ThreadStatic] private static ForwardTrace? _current;
    private readonly ForwardTrace? _previous;
    private readonly List<(Module Module, int[] InputShape, int[] OutputShape)> _events = [];

    private ForwardTrace()
    {
        _previous = _current;
        _current = this;
    }

    internal static ForwardTrace? Current => _current;

    public static ForwardTrace Start() => new();

    public IReadOnlyList<(Module Module, int[] InputShape, int[] OutputShape)> Events => _events;

    internal void Record(Module module, Tensor input, Tensor output) =>
        _events.Add((module, input.Shape.ToArray(), output.Shape.ToArray()));

    public void Dispose() => _current = _previous;
}
