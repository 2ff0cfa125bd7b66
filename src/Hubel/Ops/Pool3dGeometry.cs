namespace Hubel.Ops;

/// <summary>Resolved shape of one 3-D pooling pass over [N, C, D, H, W] (see <see cref="ConvGeometry"/> for 2-D).</summary>
internal readonly record struct Pool3dGeometry(
    int N, int C, int D, int H, int W,
    Size3 Kernel, Size3 Stride, Size3 Padding, Size3 Dilation,
    int OutD, int OutH, int OutW)
{
    public int InPlane => D * H * W;
    public int OutPlane => OutD * OutH * OutW;
    public int Planes => N * C;
}
