namespace Hubel.Ops;

/// <summary>What the padded border holds (PyTorch's padding_mode of the conv layers, and <see cref="F.Pad"/>'s mode).
/// With input [1, 2, 3] padded by 2 on each side:
/// <list type="bullet">
/// <item><see cref="Zeros"/>: [0, 0, 1, 2, 3, 0, 0].</item>
/// <item><see cref="Reflect"/>: mirror without repeating the edge, [3, 2, 1, 2, 3, 2, 1]; the padding must be smaller than the input.</item>
/// <item><see cref="Replicate"/>: repeat the edge, [1, 1, 1, 2, 3, 3, 3].</item>
/// <item><see cref="Circular"/>: wrap around, [2, 3, 1, 2, 3, 1, 2]; the padding must be at most the input size.</item>
/// </list></summary>
public enum PaddingMode
{
    Zeros,
    Reflect,
    Replicate,
    Circular,
}
