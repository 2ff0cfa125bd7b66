using Hubel.Data;
using Hubel.Imaging;
using Hubel.Models;
using Hubel.Serialization;
using Hubel.Tensors;

namespace Hubel.Tests.Robustness;

/// <summary>Cases 26–52 of docs/ROBUSTNESS.md: truncated, corrupt and hostile files end in
/// <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) naming the file and what is wrong.</summary>
public class FileInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-robust-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private void BadSafeTensors(byte[] file, params string[] fragments)
    {
        var path = Write("bad.safetensors", file);
        Expect.Throws<InvalidDataException>(() => SafeTensors.Load(path), null, ["bad.safetensors", .. fragments]);
    }

    private static string Header(params string[] entries) => "{" + string.Join(",", entries) + "}";

    // --- safetensors ---
    [Fact] public void R26_safetensors_shorter_than_its_length_field() => BadSafeTensors([1, 2, 3], "fewer than the 8-byte header length");
    [Fact] public void R27_safetensors_header_length_beyond_the_file() =>
        BadSafeTensors([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, (byte)'{', (byte)'}'], "exceeds the file", "104857600-byte cap");
    [Fact] public void R28_safetensors_header_not_json() => BadSafeTensors(Files.SafeTensors("{\"w\":[1,", 0), "not valid JSON");
    [Fact] public void R29_safetensors_duplicate_tensor_names() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("w", "F32", "[1]", 0, 4), Files.Entry("w", "F32", "[1]", 4, 8)), 8), "'w' twice", "duplicate");
    [Fact] public void R30_safetensors_offsets_outside_the_data() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("w", "F32", "[4]", 0, 16)), 8), "'w'", "outside the 8-byte data section");
    [Fact] public void R31_safetensors_overlapping_tensors() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("a", "F32", "[2]", 0, 8), Files.Entry("b", "F32", "[2]", 4, 12)), 12), "'b' overlaps");
    [Fact] public void R32_safetensors_hole_between_tensors() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("a", "F32", "[1]", 0, 4), Files.Entry("b", "F32", "[1]", 8, 12)), 12), "hole", "bytes 4..8");
    [Fact] public void R33_safetensors_trailing_bytes() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("a", "F32", "[1]", 0, 4)), 12), "8 trailing bytes");
    [Fact] public void R34_safetensors_span_does_not_match_shape_and_dtype() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("w", "F32", "[3]", 0, 8)), 8), "'w' spans 8 bytes", "needs 12");
    [Fact] public void R35_safetensors_element_count_overflows() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("w", "F32", "[2147483647,2147483647,2147483647]", 0, 4)), 4), "'w'", "element count overflows");
    [Fact] public void R36_safetensors_negative_dimension() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("w", "F32", "[-1]", 0, 0)), 0), "'w'", "invalid dimension");
    [Fact] public void R37_safetensors_unknown_dtype_named() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("w", "C64", "[1]", 0, 8)), 8), "tensor 'w'", "dtype 'C64'", "supported: F64, F32, F16, BF16");
    [Fact] public void R38_safetensors_i64_beyond_exact_float64() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("n", "I64", "[1]", 0, 8)), 8, fill: 0x7f), "tensor 'n' (I64)", "2^53");
    [Fact] public void R39_safetensors_bool_that_is_not_0_or_1() =>
        BadSafeTensors(Files.SafeTensors(Header(Files.Entry("m", "BOOL", "[2]", 0, 2)), 2, fill: 2), "tensor 'm' (BOOL)", "0 or 1");
    [Fact] public void R40_safetensors_missing_file() =>
        Expect.Throws<FileNotFoundException>(() => SafeTensors.Load(Path.Combine(_dir, "nope.safetensors")), null, "nope.safetensors", "does not exist");

    [Fact] public void R65_safetensors_null_in_data_offsets_or_shape()
    {
        // Found by the fuzzing campaign: `"data_offsets":[null]` escaped as a NullReferenceException.
        BadSafeTensors(Files.SafeTensors("{\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[null]}}", 8), "'n' has null in its data_offsets");
        BadSafeTensors(Files.SafeTensors("{\"n\":{\"dtype\":\"I64\",\"shape\":[null],\"data_offsets\":[0,8]}}", 8), "'n' has null in its shape");
    }

    // --- IDX ---
    private void BadIdx(byte[] file, params string[] fragments)
    {
        var path = Write("bad.idx", file);
        Expect.Throws<InvalidDataException>(() => IdxFile.Read(path), null, ["bad.idx", .. fragments]);
    }

    [Fact] public void R41_idx_wrong_magic() => BadIdx(Files.Idx([2], 2, magic0: 0x50), "bad IDX magic", "expected 0x00 0x00");
    [Fact] public void R42_idx_truncated_data() => BadIdx(Files.Idx([2, 28, 28], 100), "shorter", "expected 1568 bytes, got 100");
    [Fact] public void R43_idx_truncated_gzip() => BadIdx(Files.Gzip(Files.Idx([2, 28, 28], 1568))[..30], "truncated");
    [Fact] public void R44_idx_unsupported_dtype() => BadIdx(Files.Idx([2], 8, dtype: 0x0D), "dtype code 0x0D", "float32", "only 0x08");
    [Fact] public void R45_idx_rank_out_of_range() => BadIdx(Files.Idx([], 0, rank: 9), "rank 9", "expected 1..4");
    [Fact] public void R46_idx_zero_dimension() => BadIdx(Files.Idx([3, 0], 0), "dimension 1 is 0", "at least 1");
    [Fact] public void R47_idx_gzip_claiming_more_than_it_can_hold() =>
        BadIdx(Files.Gzip(Files.Idx([60000, 28, 28], 10)), "more than a", "1032:1");

    // --- images ---
    private void BadImage(string name, byte[] file, params string[] fragments)
    {
        var path = Write(name, file);
        Expect.Throws<InvalidDataException>(() => ImageFile.Load(path), null, [name, .. fragments]);
    }

    private byte[] ValidPng()
    {
        var path = Path.Combine(_dir, "valid.png");
        ImageFile.SavePng(path, Tensor.Full([3, 4, 5], 0.5));
        return File.ReadAllBytes(path);
    }

    [Fact] public void R48_png_truncated() { var png = ValidPng(); BadImage("cut.png", png[..(png.Length / 2)], "not a readable image"); }
    [Fact] public void R49_png_wrong_magic() { var png = ValidPng(); png[1] = (byte)'X'; BadImage("magic.png", png, "not a readable image"); }

    [Fact]
    public void R50_png_chunk_length_beyond_the_file()
    {
        var png = ValidPng();
        png[33] = 0x36;   // the first chunk after IHDR: its length's high byte, claiming ~900 MB
        BadImage("huge-chunk.png", png, "claims", "remain");
    }

    [Fact]
    public void R51_jpeg_segment_past_the_end_fails_instead_of_hanging()
    {
        // SOI, then an APP0 segment whose length (0x1414) runs past the end: the decoder used to loop forever.
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x14, 0x14, .. Enumerable.Repeat((byte)0x14, 40), 0xFF, 0xC0, 0x00, 0x11, 0x08];
        BadImage("loop.jpg", jpeg, "not a readable image");
    }

    [Fact]
    public void R52_bmp_header_claiming_millions_of_pixels()
    {
        // A 60-byte BMP that says it is 8,388,612 x 3: rejected from its header, not decoded into 100 MB.
        var bmp = new byte[60];
        "BM"u8.CopyTo(bmp);
        BitConverter.GetBytes(60).CopyTo(bmp, 2);
        BitConverter.GetBytes(54).CopyTo(bmp, 10);
        BitConverter.GetBytes(40).CopyTo(bmp, 14);
        BitConverter.GetBytes(8388612).CopyTo(bmp, 18);
        BitConverter.GetBytes(3).CopyTo(bmp, 22);
        BitConverter.GetBytes((short)1).CopyTo(bmp, 26);
        BitConverter.GetBytes((short)24).CopyTo(bmp, 28);
        BadImage("huge.bmp", bmp, "8388612x3", "per byte");
    }

    [Fact] public void R53_image_missing() =>
        Expect.Throws<FileNotFoundException>(() => ImageFile.Load(Path.Combine(_dir, "gone.png")), null, "gone.png", "does not exist");

    // --- model files ---
    [Fact]
    public void R54_model_file_without_metadata()
    {
        var path = Path.Combine(_dir, "weights.safetensors");
        SafeTensors.Save(path, [("w", Tensor.Ones([2]))]);
        Expect.Throws<InvalidDataException>(() => ModelFile.Load(path), null, "weights.safetensors", "metadata 'classes' is missing");
    }

    [Fact]
    public void R55_model_file_with_weights_of_the_wrong_shape()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        ModelFile.Save(path, new LeNet5(rng: new Rng(1)), new ModelInfo("lenet5", ["a", "b"], 1, 28, 28, 0.5f, 0.5f));
        var (tensors, meta) = SafeTensors.Load(path);
        tensors["conv1.weight"] = Tensor.Ones([1, 2, 3]);
        SafeTensors.Save(path, tensors.Select(kv => (kv.Key, kv.Value)), meta);
        Expect.Throws<InvalidDataException>(() => ModelFile.Load(path), null, "model.safetensors", "conv1.weight");
    }
}
