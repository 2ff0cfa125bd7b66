using System.Runtime.Intrinsics;

namespace Hubel.Backends.Cpu;

/// <summary>Which register-tiled float32 micro-kernel the packed GEMM runs. All tile 6 rows of A against NR columns of B
/// (NR = 32, 16, 8, 4), so A is packed the same way for every kernel and only B's panel width changes.</summary>
internal enum GemmKernel
{
    /// <summary>The widest vector the hardware accelerates (see <see cref="GemmKernels.Auto"/>).</summary>
    Auto,
    /// <summary>6 x 32: twelve Vector512 accumulators (AVX-512).</summary>
    Vector512,
    /// <summary>6 x 16: twelve Vector256 accumulators (AVX2 + FMA).</summary>
    Vector256,
    /// <summary>6 x 8: twelve Vector128 accumulators (SSE, NEON).</summary>
    Vector128,
    /// <summary>6 x 4 in plain floats, for hardware with no accelerated vectors.</summary>
    Scalar,
}

/// <summary>Run-time choice and shape of the float32 micro-kernels.</summary>
internal static class GemmKernels
{
    /// <summary>Rows of a micro-tile, the same for every kernel.</summary>
    public const int MR = 6;

    /// <summary>The widest accelerated kernel: Vector512 only where it is really hardware (on AVX2 machines Vector512
    /// is emulated with two halves and is slower than Vector256), else Vector256, Vector128, then scalar.</summary>
    public static GemmKernel Auto { get; } =
        Vector512.IsHardwareAccelerated ? GemmKernel.Vector512
        : Vector256.IsHardwareAccelerated ? GemmKernel.Vector256
        : Vector128.IsHardwareAccelerated ? GemmKernel.Vector128
        : GemmKernel.Scalar;

    public static GemmKernel Resolve(GemmKernel kernel) => kernel == GemmKernel.Auto ? Auto : kernel;

    /// <summary>Columns of a micro-tile (the width of a packed B sliver).</summary>
    public static int NR(GemmKernel kernel) => Resolve(kernel) switch
    {
        GemmKernel.Vector512 => 32,
        GemmKernel.Vector256 => 16,
        GemmKernel.Vector128 => 8,
        _ => 4,
    };
}
