using Hubel.Tensors;

namespace Hubel.Backends.Cpu;

/// <summary>Per-worker partial sums of a weight gradient, allocated on the calling thread so that an open
/// <see cref="MemoryScope"/> recycles them (kernel workers run on other threads, where no scope is open).</summary>
internal static class PartialSums
{
    /// <summary>One zeroed array of <paramref name="length"/> per worker, or null when no weight gradient is wanted.</summary>
    public static T[][]? Allocate<T>(bool wanted, int workers, int length)
    {
        if (!wanted) return null;
        var partials = new T[workers][];
        for (int i = 0; i < workers; i++) partials[i] = MemoryScope.Allocate<T>(length, zeroed: true);
        return partials;
    }
}
