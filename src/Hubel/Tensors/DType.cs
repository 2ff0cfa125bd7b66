namespace Hubel.Tensors;

/// <summary>Element type of a tensor. Float32 is the training type; Float64 exists so that
/// gradient checks by finite differences are accurate.</summary>
public enum DType
{
    Float32,
    Float64,
}

public static class DTypeExtensions
{
    public static int SizeInBytes(this DType dtype) => dtype switch
    {
        DType.Float32 => sizeof(float),
        DType.Float64 => sizeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "expected Float32 or Float64"),
    };

    internal static DType Of<T>() =>
        typeof(T) == typeof(float) ? DType.Float32 :
        typeof(T) == typeof(double) ? DType.Float64 :
        throw new NotSupportedException($"element type {typeof(T).Name} is not a Hubel dtype (float or double)");
}
