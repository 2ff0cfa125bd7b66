using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>True on AMD Zen 4 (family 19h), which accepts AVX-512 but executes each 512-bit FMA as two 256-bit halves:
    /// the 6 x 32 kernel then has the 6 x 16 kernel's FLOP rate while its 32 KB B sliver fills the whole L1. Measured there
    /// (thread CPU time, one core, n = 1000..2048): Vector256 99-101 GFLOP/s, Vector512 88-93. Zen 5 (family 1Ah) has
    /// full-width units and keeps Vector512. Declared before <see cref="Auto"/>, which reads it while initialising.</summary>
    public static bool HalfWidth512 { get; } = IsAmdFamilyUpTo19h();

    /// <summary>The widest accelerated kernel worth running: Vector512 only where it is really hardware (on AVX2 machines
    /// Vector512 is emulated with two halves and is slower than Vector256) and runs at full width, else Vector256,
    /// Vector128, then scalar.</summary>
    public static GemmKernel Auto { get; } =
        Vector512.IsHardwareAccelerated && !HalfWidth512 ? GemmKernel.Vector512
        : Vector256.IsHardwareAccelerated ? GemmKernel.Vector256
        : Vector128.IsHardwareAccelerated ? GemmKernel.Vector128
        : GemmKernel.Scalar;

    private static bool IsAmdFamilyUpTo19h()
    {
        if (!X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163;   // "Auth" "enti" "cAMD"
        if (!amd) return false;
        int eax = X86Base.CpuId(1, 0).Eax;
        int family = ((eax >> 8) & 0xF) + ((eax >> 20) & 0xFF);
        return family <= 0x19;
    }

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
