namespace Hubel.Tensors;

/// <summary>
/// A per-step arena on this thread: while it is open, new op outputs, gradients and saved tensors take their storage from
/// a pool of recycled arrays, and when it is disposed every array it handed out goes back to the pool, except those of
/// tensors passed to <see cref="Keep(Tensor?)"/>. Use it around one training step, after marking what outlives the step:
/// <code>
/// using (var scope = MemoryScope.Begin())
/// {
///     var loss = F.CrossEntropy(model.Forward(x), y);
///     optimizer.ZeroGrad(setToNone: false);
///     loss.Backward();
///     optimizer.Step();
///     lossValue = loss.Item();                      // copy scalars out
///     scope.KeepTrainingState(model, optimizer);   // gradients and optimiser buffers created in this step
/// }
/// </code>
/// Every tensor created inside and not kept is dead after disposal: reading it afterwards reads recycled memory. Parameters,
/// buffers and data created before the scope are never touched. Arrays allocated on other threads (kernel workers) and
/// arrays handed to the caller (<see cref="Tensor.ToFloatArray"/> and friends) are ordinary GC memory.
/// </summary>
public sealed class MemoryScope : IDisposable
{
    [ThreadStatic] private static MemoryScope? _current;

    private readonly MemoryScope? _outer;
    private readonly List<Array> _rented = [];
    private readonly HashSet<Array> _kept = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    private MemoryScope(MemoryScope? outer) => _outer = outer;

    /// <summary>Whether an open scope on this thread is pooling allocations.</summary>
    public static bool IsActive => _current is not null;

    /// <summary>Opens a scope on this thread (scopes nest; an inner scope recycles only what it rented itself).</summary>
    public static MemoryScope Begin()
    {
        var scope = new MemoryScope(_current);
        _current = scope;
        return scope;
    }

    /// <summary>Marks <paramref name="tensor"/>'s storage as outliving the scope: it is left to the GC, never recycled.
    /// Views share storage, so keeping a view keeps the whole array. Returns the tensor for chaining.</summary>
    public Tensor? Keep(Tensor? tensor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (tensor is not null) _kept.Add(tensor.Storage);
        return tensor;
    }

    /// <summary>Keeps every tensor in <paramref name="tensors"/> (nulls skipped).</summary>
    public void Keep(IEnumerable<Tensor?> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var t in tensors) Keep(t);
    }

    /// <summary>Storage for a new tensor: pooled inside a scope, a plain array otherwise. Zeroed when asked.</summary>
    internal static T[] Allocate<T>(int length, bool zeroed)
    {
        var scope = _current;
        if (scope is null || length == 0) return zeroed || length == 0 ? new T[length] : GC.AllocateUninitializedArray<T>(length);
        var array = StoragePool.Rent<T>(length);
        if (zeroed) Array.Clear(array);
        scope._rented.Add(array);
        return array;
    }

    /// <summary>Returns every array rented in this scope and not kept to the pool, and closes the scope.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("memory scopes must be disposed innermost first, on the thread that opened them");
        _disposed = true;
        _current = _outer;
        foreach (var array in _rented)
            if (!_kept.Contains(array)) StoragePool.Return(array);
        _rented.Clear();
        _kept.Clear();
    }
}
