using System.Numerics;
using System.Numerics.Tensors;
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

    /// <summary>total = the partials summed in worker order over total's length: the first copied (not when total is the
    /// first partial itself), each other added in one vector pass. The order is fixed, so the sum does not depend on which
    /// thread ran which partial.</summary>
    public static void SumInto<T>(T[][] partials, Span<T> total) where T : IAdditionOperators<T, T, T>, IAdditiveIdentity<T, T>
    {
        var first = partials[0].AsSpan(0, total.Length);
        if (!first.Overlaps(total, out int offset) || offset != 0) first.CopyTo(total);
        for (int i = 1; i < partials.Length; i++) TensorPrimitives.Add(total, partials[i].AsSpan(0, total.Length), total);
    }
}
