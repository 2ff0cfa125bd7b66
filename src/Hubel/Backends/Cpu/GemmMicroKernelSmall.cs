using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hubel.Backends.Cpu;

/// <summary>Fallback micro-kernels for hardware without 256-bit vectors: 6 x 8 on Vector128 (SSE, NEON) and 6 x 4 in
/// plain floats.</summary>
internal static partial class Gemm
{
    /// <summary>C[0..6, 0..8] (+)= Σp A[p, 0..6] ⊗ B[p, 0..8], twelve Vector128 accumulators, B packed 8 wide.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Kernel128(int kc, float* a, float* b, float* c, long ldc, bool overwrite)
    {
        Vector128<float> c00 = Vector128<float>.Zero, c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        Vector128<float> c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            var x = Vector128.Create(a[0]); c00 = Vector128.MultiplyAddEstimate(x, b0, c00); c01 = Vector128.MultiplyAddEstimate(x, b1, c01);
            x = Vector128.Create(a[1]); c10 = Vector128.MultiplyAddEstimate(x, b0, c10); c11 = Vector128.MultiplyAddEstimate(x, b1, c11);
            x = Vector128.Create(a[2]); c20 = Vector128.MultiplyAddEstimate(x, b0, c20); c21 = Vector128.MultiplyAddEstimate(x, b1, c21);
            x = Vector128.Create(a[3]); c30 = Vector128.MultiplyAddEstimate(x, b0, c30); c31 = Vector128.MultiplyAddEstimate(x, b1, c31);
            x = Vector128.Create(a[4]); c40 = Vector128.MultiplyAddEstimate(x, b0, c40); c41 = Vector128.MultiplyAddEstimate(x, b1, c41);
            x = Vector128.Create(a[5]); c50 = Vector128.MultiplyAddEstimate(x, b0, c50); c51 = Vector128.MultiplyAddEstimate(x, b1, c51);
            a += MR;
            b += 8;
        }
        if (!overwrite)
        {
            c00 += Vector128.Load(c); c01 += Vector128.Load(c + 4);
            c10 += Vector128.Load(c + ldc); c11 += Vector128.Load(c + ldc + 4);
            c20 += Vector128.Load(c + 2 * ldc); c21 += Vector128.Load(c + 2 * ldc + 4);
            c30 += Vector128.Load(c + 3 * ldc); c31 += Vector128.Load(c + 3 * ldc + 4);
            c40 += Vector128.Load(c + 4 * ldc); c41 += Vector128.Load(c + 4 * ldc + 4);
            c50 += Vector128.Load(c + 5 * ldc); c51 += Vector128.Load(c + 5 * ldc + 4);
        }
        c00.Store(c); c01.Store(c + 4);
        c10.Store(c + ldc); c11.Store(c + ldc + 4);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 4);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 4);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 4);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 4);
    }

    /// <summary>C[0..6, 0..4] (+)= Σp A[p, 0..6] ⊗ B[p, 0..4] in scalars, B packed 4 wide; the tile lives in a
    /// stack array (24 accumulators do not fit scalar registers anyway), indexed without bounds checks.</summary>
    internal static unsafe void KernelScalar(int kc, float* a, float* b, float* c, long ldc, bool overwrite)
    {
        float* acc = stackalloc float[MR * 4];
        for (int i = 0; i < MR * 4; i++) acc[i] = 0f;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            for (int r = 0; r < MR; r++)
            {
                float x = a[r];
                float* row = acc + r * 4;
                row[0] += x * b0; row[1] += x * b1; row[2] += x * b2; row[3] += x * b3;
            }
            a += MR;
            b += 4;
        }
        for (int r = 0; r < MR; r++)
            for (int q = 0; q < 4; q++)
            {
                float* dst = c + r * ldc + q;
                *dst = overwrite ? acc[r * 4 + q] : *dst + acc[r * 4 + q];
            }
    }
}
