namespace Hubel;

/// <summary>The determinism switch (<c>hubel train --deterministic</c>). Every Hubel kernel is deterministic for a
/// fixed thread count: no atomics, and each output element is computed by exactly one worker in a fixed order. What
/// can change with the thread count is where a reduction is split: a weight gradient summed over the batch in one
/// range per worker rounds differently with 1 and 2 workers. With the switch on, such work is cut into a fixed
/// number of chunks whatever the thread count (threads take chunks in turn and the partial results are added in
/// chunk order), so the same seed gives bitwise-identical weights at any thread count, at some cost in speed.
/// An op that cannot honour this must call <see cref="RequireDeterministicKernel"/> before it runs.</summary>
public static class Determinism
{
    private static volatile bool _enabled;

    /// <summary>Process-wide; set it before training starts, not while kernels are running.</summary>
    public static bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>The number of chunks a batch-wide reduction is split into while <see cref="Enabled"/>: fixed, so the
    /// summation order does not depend on the thread count, and enough for eight threads to share.</summary>
    public const int Chunks = 8;

    /// <summary>Turns the switch on (or off) until the returned scope is disposed, then restores the previous setting.</summary>
    public static IDisposable Scope(bool enabled = true) => new Restore(enabled);

    /// <summary>For an op with no deterministic kernel: throws <see cref="InvalidOperationException"/> naming it while
    /// the switch is on. (No op in Hubel needs this today; it is the contract for one that would.)</summary>
    public static void RequireDeterministicKernel(string op, string why)
    {
        if (_enabled)
            throw new InvalidOperationException($"{op} has no deterministic kernel ({why}); turn off Determinism.Enabled (--deterministic) to use it");
    }

    private sealed class Restore : IDisposable
    {
        private readonly bool _previous = _enabled;
        public Restore(bool enabled) => _enabled = enabled;
        public void Dispose() => _enabled = _previous;
    }
}
