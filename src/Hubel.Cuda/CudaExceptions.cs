namespace Hubel.Cuda;

/// <summary>No GPU, no driver, or a CUDA library is missing: the message says which and how to fix it.</summary>
public sealed class CudaUnavailableException(string message) : InvalidOperationException(message);

/// <summary>A CUDA, cuBLAS or cuDNN call returned an error status.</summary>
public sealed class CudaException(string library, string call, int status, string description)
    : InvalidOperationException($"{library} {call} failed with status {status}: {description}")
{
    public string Library { get; } = library;
    public string Call { get; } = call;
    public int Status { get; } = status;
}
