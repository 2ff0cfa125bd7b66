namespace Hubel.Ops;

/// <summary>Resolved shape of one 2-D convolution or pooling window pass: everything a kernel needs,
/// computed and validated once. Output size per dimension: floor((in + padBefore + padAfter - D(K-1) - 1)/S) + 1,
/// the notes' floor((W - K + 2P)/S) + 1 with dilation.</summary>
internal readonly record struct ConvGeometry(
    int N, int C, int H, int W,
    int KH, int KW, int SH, int SW, int DH, int DW,
    int PadTop, int PadLeft, int OutH, int OutW)
{
    public int OutPixels => OutH * OutW;

    /// <summary>Output size along one dimension; throws when the (dilated) kernel does not fit the padded input.</summary>
    internal static int OutputSize(int input, int padBefore, int padAfter, int kernel, int stride, int dilation, string kernelName, bool ceilMode = false)
    {
        long padded = (long)input + padBefore + padAfter;
        long effective = (long)dilation * (kernel - 1) + 1;
        if (effective > padded)
            throw new ArgumentOutOfRangeException(kernelName,
                $"kernel size {kernel} (dilation {dilation}, effective {effective}) is larger than the padded input size {padded} (input {input} + padding {padBefore}+{padAfter}); expected effective kernel <= padded input");
        long span = padded - effective;
        long output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        // A ceil-mode window must start inside the input or its left padding (PyTorch's rule).
        if (ceilMode && (output - 1) * stride >= input + padBefore) output--;
        if (output < 1) throw new ArgumentOutOfRangeException(kernelName, $"output size would be {output}; expected >= 1");
        // Huge padding can make the output longer than any tensor dimension; say so instead of wrapping around.
        if (output > int.MaxValue) throw new ArgumentOutOfRangeException("padding", $"padding {padBefore}+{padAfter} makes the output size {output}; expected <= {int.MaxValue}");
        return (int)output;
    }
}
