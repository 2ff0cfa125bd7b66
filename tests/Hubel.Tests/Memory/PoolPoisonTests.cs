using Hubel.Tensors;

namespace Hubel.Tests.Memory;

/// <summary>The pool's debug poisoning: storage handed out uninitialised, and storage a scope took back, read as NaN, so a
/// kernel that relies on zeroed memory or a tensor used after its scope ended cannot pass for correct.</summary>
public class PoolPoisonTests
{
    private const int Length = 9949;   // a length no other test uses

    [Fact]
    public void Poisoned_storage_reads_as_nan_when_rented_and_after_it_is_returned()
    {
        bool before = StoragePool.Poison;
        StoragePool.Poison = true;
        try
        {
            Tensor dead;
            using (MemoryScope.Begin())
            {
                dead = Tensor.Empty([Length], DType.Float32);
                Assert.All(dead.ToFloatArray(), v => Assert.True(float.IsNaN(v)));   // never written: NaN, not zero
                dead.Span<float>().Fill(1f);
                Assert.All(Tensor.Zeros([Length]).ToFloatArray(), v => Assert.Equal(0f, v));   // Zeros still zeroes
            }
            Assert.All(dead.ToFloatArray(), v => Assert.True(float.IsNaN(v)));       // used after its scope: NaN
        }
        finally { StoragePool.Poison = before; }
    }
}
