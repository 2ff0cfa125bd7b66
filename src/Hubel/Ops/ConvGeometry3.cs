namespace Hubel.Ops;

/// <summary>Resolved shape of one 3-D convolution window pass (2-D and 1-D are D = KD = OutD = 1):
/// output size per dimension floor((in + padBefore + padAfter - D(K-1) - 1)/S) + 1.
/// For a transposed convolution this is the geometry of the convolution it is the adjoint of: the transposed
/// output plays the input (C, D, H, W) and the transposed input plays the output (OutD, OutH, OutW).</summary>
internal readonly record struct ConvGeometry3(
    int N, int C, int D, int H, int W,
    int KD, int KH, int KW, int SD, int SH, int SW, int DD, int DH, int DW,
    int PadFront, int PadTop, int PadLeft, int OutD, int OutH, int OutW)
{
    public int OutPixels => OutD * OutH * OutW;
    public int InPixels => D * H * W;
    public int KernelSize => KD * KH * KW;

    /// <summary>True when the depth dimension is trivial, so the 2-D im2col applies.</summary>
    public bool Is2d => D == 1 && KD == 1 && OutD == 1 && PadFront == 0;

    /// <summary>The 2-D geometry as a 3-D one with a depth of 1, so 2-D convolution runs on the same kernels.</summary>
    public static ConvGeometry3 From2d(in ConvGeometry g) =>
        new(g.N, g.C, 1, g.H, g.W, 1, g.KH, g.KW, 1, g.SH, g.SW, 1, g.DH, g.DW, 0, g.PadTop, g.PadLeft, 1, g.OutH, g.OutW);

    public ConvGeometry To2d() => new(N, C, H, W, KH, KW, SH, SW, DH, DW, PadTop, PadLeft, OutH, OutW);
}
