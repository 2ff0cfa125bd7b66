using System.Numerics;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Convolution as a GEMM whose im2col matrix is never written (groups 1, stride 1, dilation 1, any padding): the output
/// channels of a block of 16 sit in two vector registers, six output pixels side by side, and for each of the C·KH·KW taps
/// the kernel loads one packed weight row (16 channels) and broadcasts the six pixels' input values straight from the
/// (zero-bordered) image through a table of tap offsets: 12 FMAs per 9 loads, nothing lowered or packed per image.
/// It targets the small convolutions of LeNet-5 (conv2: C 6, Cout 16, 5x5 on 14x14) and network3 (conv2: C 20, Cout 40,
/// 5x5 on 12x12), where im2col + the 6x16 GEMM micro-kernel spends its time lowering and padding 16-row tiles.
/// The weight gradient uses the same blocking with the roles of taps and pixels swapped (six taps x 16 channels in
/// registers, summed over the pixels of every image); the input gradient runs along dx rows (<see cref="ImplicitGemmInputGrad"/>),
/// since a few input channels do not fill a 16-channel block. float32 runs the AVX2/FMA micro-kernels in
/// <see cref="ImplicitGemmMicro"/>; float64 (gradcheck) runs the same tables and loops with scalar arithmetic.
/// </summary>
internal static class ImplicitGemmConv
{
    /// <summary>Output channels per register block (two float32 vectors) and pixels (or taps) per block.</summary>
    internal const int CoBlock = 16, PixelBlock = 6;

    public static bool Applies(in ConvGeometry g, int groups) => groups == 1 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1;

    /// <summary>Small images with enough taps to fill the blocks: at least 4 input channels (fewer go to the direct
    /// SmallChannels kernel), at most 64 output channels and 256 output pixels, kernels of 5x5 and up (3x3 goes to
    /// Winograd). Measured in one process on the 2-core AVX2 machine against im2col + GEMM, batch 64, one thread:
    /// LeNet-5 conv2 forward 1.0 ms -> 0.4 ms, weight gradient 1.1 ms -> 0.45 ms.</summary>
    public static bool Preferred(in ConvGeometry g, int groups, int outChannels) =>
        Applies(g, groups) && ImplicitGemmMicro.IsSupported && g.C >= 4 && outChannels <= 64 && g.OutPixels <= 256
        && g.KH * g.KW >= 25 && g.OutW >= 4;

    private readonly record struct Layout(int Hp, int Wp, int Taps, int CoPad, int[] Offsets, int[] Bases)
    {
        public int Plane => Hp * Wp;
    }

    /// <summary>Tap offsets (c, kh, kw) and output-pixel bases in the [C, Hp, Wp] zero-bordered image.</summary>
    private static Layout MakeLayout(in ConvGeometry g, int outChannels)
    {
        int hp = g.OutH + g.KH - 1, wp = g.OutW + g.KW - 1, taps = g.C * g.KH * g.KW;
        var offsets = new int[taps];
        for (int c = 0, t = 0; c < g.C; c++)
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++) offsets[t++] = c * hp * wp + i * wp + j;
        var bases = new int[g.OutPixels];
        for (int p = 0; p < bases.Length; p++) bases[p] = p / g.OutW * wp + p % g.OutW;
        return new Layout(hp, wp, taps, (outChannels + CoBlock - 1) / CoBlock * CoBlock, offsets, bases);
    }

    /// <summary>Image n as [C, Hp, Wp] with its zero border; the input itself when there is no padding (then Hp = H, Wp = W).</summary>
    private static ReadOnlySpan<T> PaddedImage<T>(ReadOnlySpan<T> x, int n, in ConvGeometry g, in Layout l, Span<T> scratch) where T : unmanaged
    {
        int hw = g.H * g.W;
        if (g.PadTop == 0 && g.PadLeft == 0 && l.Hp == g.H && l.Wp == g.W) return x.Slice(n * g.C * hw, g.C * hw);
        var xp = scratch[..(g.C * l.Plane)];
        xp.Clear();
        for (int c = 0; c < g.C; c++)
            for (int h = 0; h < g.H; h++)
            {
                int ph = h + g.PadTop;
                if (ph >= l.Hp) break;
                int count = Math.Min(g.W, l.Wp - g.PadLeft);
                if (count > 0) x.Slice((n * g.C + c) * hw + h * g.W, count).CopyTo(xp.Slice(c * l.Plane + ph * l.Wp + g.PadLeft, count));
            }
        return xp;
    }

    /// <summary>y [N, Cout, OH, OW] = conv(x, w) + b.</summary>
    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry g, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = MakeLayout(g, outChannels);
        // Weights as [tap][CoPad]: one tap's 16 channels are one aligned-size row, zero past Cout.
        var packed = MemoryScope.Allocate<T>(l.Taps * l.CoPad, zeroed: true);
        var ws = w.Span;
        for (int o = 0; o < outChannels; o++)
            for (int t = 0; t < l.Taps; t++) packed[t * l.CoPad + o] = ws[o * l.Taps + t];
        long perImage = (long)l.Taps * outChannels * g.OutPixels;
        CpuThreads.For(g.N, (n0, n1) =>
        {
            var scratch = Scratch<T>.Get(g.C * l.Plane);
            for (int n = n0; n < n1; n++)
            {
                var xp = PaddedImage(x.Span, n, g, l, scratch);
                var yn = y.Span.Slice(n * outChannels * g.OutPixels, outChannels * g.OutPixels);
                var bias = b is { } bm ? bm.Span : default;
                if (typeof(T) == typeof(float) && ImplicitGemmMicro.IsSupported)
                    ImplicitGemmMicro.ForwardImage(Cast<T, float>(xp), Cast<T, float>(packed), Cast<T, float>(bias), CastMut<T, float>(yn),
                        l.Offsets, l.Bases, l.CoPad, outChannels);
                else ForwardScalar(xp, packed, bias, yn, l, outChannels);
            }
        }, minPerWorker: CpuThreads.MinItemsPerWorker(perImage / 8));
    }

    private static void ForwardScalar<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> packed, ReadOnlySpan<T> bias, Span<T> y, in Layout l, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int pixels = l.Bases.Length;
        Span<T> acc = stackalloc T[CoBlock];
        for (int p = 0; p < pixels; p++)
            for (int o0 = 0; o0 < l.CoPad; o0 += CoBlock)
            {
                acc.Clear();
                for (int t = 0; t < l.Taps; t++)
                {
                    T v = xp[l.Bases[p] + l.Offsets[t]];
                    var row = packed.Slice(t * l.CoPad + o0, CoBlock);
                    for (int o = 0; o < CoBlock; o++) acc[o] += v * row[o];
                }
                for (int o = 0; o < CoBlock && o0 + o < outChannels; o++)
                    y[(o0 + o) * pixels + p] = acc[o] + (bias.IsEmpty ? T.Zero : bias[o0 + o]);
            }
    }

    /// <summary>dx by <see cref="ImplicitGemmInputGrad"/> (images up to 16 wide; im2col otherwise), dw by the blocked kernel,
    /// db as channel sums of dy.</summary>
    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry g, int outChannels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx is { } dxm)
        {
            if (ImplicitGemmInputGrad.Applies(g)) ImplicitGemmInputGrad.Run(w, dy, dxm, g, outChannels);
            else ConvNdKernels.Backward<T>(x, w, dy, dx, null, null, ConvGeometry3.From2d(g), 1, outChannels);
        }
        if (db is { } dbm) ConvNdKernels.BiasGrad(dy.Span, dbm.Span, g.N, outChannels, g.OutPixels);
        if (dw is { } dwm) WeightGradient(x, dy, dwm.Span, g, outChannels);
    }

    /// <summary>dw [Cout, C, KH, KW] = Σ_n Σ_p dy[n, o, p] · x[n, c, p + tap]: per image, dy is transposed to [P][CoPad] and
    /// each block of 6 taps x 16 channels is summed over the pixels into a per-worker [taps][CoPad] partial.</summary>
    private static void WeightGradient<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> dy, Span<T> dw, ConvGeometry g, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var l = MakeLayout(g, outChannels);
        int pixels = g.OutPixels;
        long perImage = (long)l.Taps * outChannels * pixels;
        int workers = CpuThreads.WorkersFor(g.N, CpuThreads.MinItemsPerWorker(perImage / 8));
        var partials = PartialSums.Allocate<T>(true, workers, l.Taps * l.CoPad)!;
        CpuThreads.ForWorkers(g.N, workers, (worker, n0, n1) =>
        {
            var scratch = Scratch<T>.Get(g.C * l.Plane + pixels * l.CoPad);
            var part = partials[worker];
            for (int n = n0; n < n1; n++)
            {
                var dyT = scratch.AsSpan(g.C * l.Plane, pixels * l.CoPad);
                dyT.Clear();
                var dyn = dy.Span.Slice(n * outChannels * pixels, outChannels * pixels);
                for (int o = 0; o < outChannels; o++)
                    for (int p = 0; p < pixels; p++) dyT[p * l.CoPad + o] = dyn[o * pixels + p];
                var xp = PaddedImage(x.Span, n, g, l, scratch.AsSpan(0, g.C * l.Plane));
                if (typeof(T) == typeof(float) && ImplicitGemmMicro.IsSupported)
                    ImplicitGemmMicro.WeightGradImage(Cast<T, float>(xp), Cast<T, float>(dyT), CastMut<T, float>(part), l.Offsets, l.Bases, l.CoPad);
                else WeightGradScalar<T>(xp, dyT, part, l);
            }
        });
        // The partials summed in worker order, a whole vector pass each, then [taps][CoPad] turned into [Cout][taps]. (Per
        // element, a loop over the partials and a column of the [taps][CoPad] layout, this took 40 µs of network3's 0.95 ms
        // training step, on the main thread alone.)
        var total = partials[0].AsSpan(0, l.Taps * l.CoPad);
        PartialSums.SumInto(partials, total);
        if ((long)outChannels * l.Taps > dw.Length) throw new ArgumentException("weight-gradient buffer is smaller than the geometry needs", nameof(dw));
        for (int t = 0; t < l.Taps; t++)
        {
            var row = total.Slice(t * l.CoPad, outChannels);
            for (int o = 0; o < row.Length; o++) dw[o * l.Taps + t] = row[o];
        }
    }

    private static void WeightGradScalar<T>(ReadOnlySpan<T> xp, ReadOnlySpan<T> dyT, Span<T> part, in Layout l) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int t = 0; t < l.Taps; t++)
        {
            var row = part.Slice(t * l.CoPad, l.CoPad);
            for (int p = 0; p < l.Bases.Length; p++)
            {
                T v = xp[l.Bases[p] + l.Offsets[t]];
                var d = dyT.Slice(p * l.CoPad, l.CoPad);
                for (int o = 0; o < row.Length; o++) row[o] += v * d[o];
            }
        }
    }

    private static ReadOnlySpan<TTo> Cast<TFrom, TTo>(ReadOnlySpan<TFrom> s) where TFrom : unmanaged where TTo : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(s);

    private static Span<TTo> CastMut<TFrom, TTo>(Span<TFrom> s) where TFrom : unmanaged where TTo : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(s);

    /// <summary>Per-thread scratch (padded image, transposed dy), grown as needed and reused across calls.</summary>
    private static class Scratch<T>
    {
        [ThreadStatic] private static T[]? _buffer;

        public static T[] Get(int size) => _buffer is { } b && b.Length >= size ? b : _buffer = new T[size];
    }
}
