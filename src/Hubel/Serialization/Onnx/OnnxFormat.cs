namespace Hubel.Serialization.Onnx;

/// <summary>The one ONNX version Hubel writes and reads. Opset 13 is what PyTorch 1.13 and ONNX Runtime both
/// handle well, and its operator semantics (Softmax over one axis, Pad/Resize with tensor inputs) match Hubel's ops.</summary>
public static class OnnxFormat
{
    /// <summary>The default-domain opset written on export and required on import.</summary>
    public const int Opset = 13;

    /// <summary>The IR version that goes with opset 13.</summary>
    public const int IrVersion = 7;

    /// <summary>Name of the single graph input written on export.</summary>
    public const string InputName = "input";

    /// <summary>Name of the single graph output written on export.</summary>
    public const string OutputName = "output";
}
