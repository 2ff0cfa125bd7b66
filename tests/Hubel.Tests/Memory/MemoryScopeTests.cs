using Hubel.Tensors;

namespace Hubel.Tests.Memory;

public class MemoryScopeTests
{
    // Odd lengths no other test uses, so other tests running in parallel cannot take these buckets' arrays.
    private const int LengthA = 9973, LengthB = 9967;

    [Fact]
    public void Storage_not_kept_is_recycled_and_kept_storage_never_is()
    {
        Tensor dead, kept;
        using (var scope = MemoryScope.Begin())
        {
            dead = Tensor.Zeros([LengthA]);
            kept = Tensor.Full([LengthB], 3.0);
            scope.Keep(kept);
        }
        using (MemoryScope.Begin())
        {
            var again = Tensor.Zeros([LengthA]);
            Assert.Same(dead.Storage, again.Storage);   // recycled, and zeroed as Zeros promises
            Assert.All(again.ToFloatArray(), v => Assert.Equal(0f, v));
            var other = Tensor.Zeros([LengthB]);
            Assert.NotSame(kept.Storage, other.Storage);
        }
        Assert.All(kept.ToFloatArray(), v => Assert.Equal(3f, v));
    }

    [Fact]
    public void Outside_a_scope_nothing_is_pooled_and_user_arrays_never_are()
    {
        Assert.False(MemoryScope.IsActive);
        float[] handedOut;
        using (MemoryScope.Begin())
        {
            Assert.True(MemoryScope.IsActive);
            handedOut = Tensor.Full([LengthA + 2], 5.0).ToFloatArray();
        }
        using (MemoryScope.Begin())
        {
            var t = Tensor.Zeros([LengthA + 2]);
            Assert.NotSame(handedOut, t.Storage);
        }
        Assert.All(handedOut, v => Assert.Equal(5f, v));
    }

    [Fact]
    public void Scopes_must_close_innermost_first()
    {
        var outer = MemoryScope.Begin();
        var inner = MemoryScope.Begin();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        Assert.False(MemoryScope.IsActive);
        Assert.Throws<ObjectDisposedException>(() => outer.Keep(Tensor.Zeros([1])));
    }
}
