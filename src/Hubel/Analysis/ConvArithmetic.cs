namespace Hubel.Analysis;

/// <summary>
/// The lecture notes' convolution arithmetic as plain functions: output sizes, padding amounts, dilated kernel
/// extent, receptive fields, and parameter / multiply-accumulate counts of conv and linear layers. They need no
/// tensors, so model summaries and tests can check a network's numbers before building it. Every argument is
/// validated; a bad one throws <see cref="ArgumentOutOfRangeException"/> naming it. Counts use checked
/// <see cref="long"/> arithmetic (an overflow throws <see cref="OverflowException"/>).
/// </summary>
public static class ConvArithmetic
{
    /// <summary>Output size along one dimension of a convolution or pooling window pass:
    /// floor((W + 2P - D(K-1) - 1)/S) + 1, the notes' floor((W - K + 2P)/S) + 1 when D = 1
    /// ("如果计算出的输出图片尺寸为小数，则取整，不做四舍五入": truncate, do not round).</summary>
    /// <exception cref="ArgumentOutOfRangeException">input, kernel, stride or dilation below 1, padding below 0
    /// (named as such), or a dilated kernel larger than the padded input (named <c>kernel</c>).</exception>
    public static int OutputSize(int input, int kernel, int stride = 1, int padding = 0, int dilation = 1)
    {
        AtLeast(input, 1, nameof(input));
        AtLeast(kernel, 1, nameof(kernel));
        AtLeast(stride, 1, nameof(stride));
        AtLeast(padding, 0, nameof(padding));
        AtLeast(dilation, 1, nameof(dilation));
        long padded = (long)input + 2L * padding;
        long effective = (long)dilation * (kernel - 1) + 1;
        if (effective > padded)
            throw new ArgumentOutOfRangeException(nameof(kernel),
                $"effective kernel {effective} (kernel {kernel}, dilation {dilation}) exceeds the padded input {padded} (input {input} + 2*{padding})");
        return (int)((padded - effective) / stride + 1);
    }

    /// <summary>Padding on each side that keeps the size at stride 1 ("same", "等宽卷积"): D(K-1)/2, i.e. (K-1)/2
    /// for an odd kernel (K = 3, 5, 7 give 1, 2, 3).</summary>
    /// <exception cref="ArgumentOutOfRangeException">kernel or dilation below 1, or D(K-1) odd (the padding could
    /// not be symmetric; named <c>kernel</c>).</exception>
    public static int SamePadding(int kernel, int dilation = 1)
    {
        long total = TotalSpan(kernel, dilation);
        if (total % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(kernel),
                $"same padding needs an odd effective kernel; kernel {kernel} with dilation {dilation} spans {total + 1}");
        return checked((int)(total / 2));
    }

    /// <summary>Padding on each side for a "full" (wide, "宽卷积") convolution: D(K-1), i.e. K-1 zeros at both ends,
    /// so that every partial overlap counts and the output has W + K - 1 elements at stride 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">kernel or dilation below 1.</exception>
    public static int FullPadding(int kernel, int dilation = 1) => checked((int)TotalSpan(kernel, dilation));

    /// <summary>Extent covered by a dilated kernel: d(k-1) + 1 (a 3x3 kernel at rate 2 sees 5x5).</summary>
    /// <exception cref="ArgumentOutOfRangeException">kernel or dilation below 1.</exception>
    public static int EffectiveKernel(int kernel, int dilation = 1) => checked((int)TotalSpan(kernel, dilation) + 1);

    /// <summary>Receptive field, in input pixels, of one output unit of a stack of layers given first to last
    /// (each a kernel extent and a stride; pass <see cref="EffectiveKernel"/> for dilated layers). Uses the notes'
    /// backward recursion RF_i = (RF_{i+1} - 1) s_i + K_i starting from RF = 1 after the last layer, so the last
    /// layer's receptive field is its kernel size. An empty stack has a receptive field of 1.</summary>
    /// <exception cref="ArgumentNullException">layers is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a kernel or stride below 1 (named <c>layers</c>).</exception>
    public static long ReceptiveField(IEnumerable<(int kernel, int stride)> layers)
    {
        var list = Validate(layers);
        long rf = 1;
        for (int i = list.Count - 1; i >= 0; i--)
            rf = checked((rf - 1) * list[i].stride + list[i].kernel);
        return rf;
    }

    /// <summary>Receptive field after each layer, first to last, by the forward form
    /// RF_l = RF_{l-1} + (K_l - 1) * (s_1 * ... * s_{l-1}) with RF_0 = 1. The last entry equals
    /// <see cref="ReceptiveField"/>.</summary>
    /// <exception cref="ArgumentNullException">layers is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a kernel or stride below 1 (named <c>layers</c>).</exception>
    public static IReadOnlyList<long> ReceptiveFields(IEnumerable<(int kernel, int stride)> layers)
    {
        var list = Validate(layers);
        var result = new long[list.Count];
        long rf = 1, jump = 1;
        for (int i = 0; i < list.Count; i++)
        {
            rf = checked(rf + (list[i].kernel - 1) * jump);
            jump = checked(jump * list[i].stride);
            result[i] = rf;
        }
        return result;
    }

    /// <summary>Trainable parameters of a conv layer: (C_in/G) K_H K_W C_out weights, plus C_out biases when
    /// <paramref name="bias"/> (the notes' C_I W_K H_K C_O, divided by G for group convolution).</summary>
    /// <exception cref="ArgumentOutOfRangeException">a size below 1, or groups not dividing both channel counts
    /// (named <c>groups</c>).</exception>
    public static long ConvParameters(int inChannels, int outChannels, int kernelH, int kernelW, bool bias = true, int groups = 1)
    {
        CheckConv(inChannels, outChannels, kernelH, kernelW, groups);
        long weights = checked((long)(inChannels / groups) * kernelH * kernelW * outChannels);
        return bias ? checked(weights + outChannels) : weights;
    }

    /// <summary>Multiply-accumulates of one conv layer for one image: (C_in/G) K_H K_W per output element, times
    /// C_out H_out W_out output elements (the notes' C_I W_K H_K C_O W_O H_O; bias additions not counted).</summary>
    /// <exception cref="ArgumentOutOfRangeException">a size below 1, or groups not dividing both channel counts
    /// (named <c>groups</c>).</exception>
    public static long ConvMacs(int inChannels, int outChannels, int kernelH, int kernelW, int outH, int outW, int groups = 1)
    {
        CheckConv(inChannels, outChannels, kernelH, kernelW, groups);
        AtLeast(outH, 1, nameof(outH));
        AtLeast(outW, 1, nameof(outW));
        return checked((long)(inChannels / groups) * kernelH * kernelW * outChannels * outH * outW);
    }

    /// <summary>Trainable parameters of a fully connected layer: in * out weights, plus out biases when
    /// <paramref name="bias"/> (LeNet's F6: (120 + 1) * 84 = 10,164).</summary>
    /// <exception cref="ArgumentOutOfRangeException">inFeatures or outFeatures below 1.</exception>
    public static long LinearParameters(long inFeatures, long outFeatures, bool bias = true)
    {
        if (inFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"inFeatures must be >= 1; got {inFeatures}");
        if (outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(outFeatures), $"outFeatures must be >= 1; got {outFeatures}");
        long weights = checked(inFeatures * outFeatures);
        return bias ? checked(weights + outFeatures) : weights;
    }

    private static long TotalSpan(int kernel, int dilation)
    {
        AtLeast(kernel, 1, nameof(kernel));
        AtLeast(dilation, 1, nameof(dilation));
        return (long)dilation * (kernel - 1);
    }

    private static List<(int kernel, int stride)> Validate(IEnumerable<(int kernel, int stride)> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var list = layers.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].kernel < 1)
                throw new ArgumentOutOfRangeException(nameof(layers), $"layer {i} has kernel {list[i].kernel}; expected >= 1");
            if (list[i].stride < 1)
                throw new ArgumentOutOfRangeException(nameof(layers), $"layer {i} has stride {list[i].stride}; expected >= 1");
        }
        return list;
    }

    private static void CheckConv(int inChannels, int outChannels, int kernelH, int kernelW, int groups)
    {
        AtLeast(inChannels, 1, nameof(inChannels));
        AtLeast(outChannels, 1, nameof(outChannels));
        AtLeast(kernelH, 1, nameof(kernelH));
        AtLeast(kernelW, 1, nameof(kernelW));
        AtLeast(groups, 1, nameof(groups));
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups),
                $"groups ({groups}) must divide both the input channels ({inChannels}) and the output channels ({outChannels})");
    }

    private static void AtLeast(int value, int min, string name)
    {
        if (value < min) throw new ArgumentOutOfRangeException(name, $"{name} must be >= {min}; got {value}");
    }
}
