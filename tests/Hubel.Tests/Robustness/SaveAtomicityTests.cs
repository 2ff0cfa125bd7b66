using Hubel.Data;
using Hubel.Imaging;
using Hubel.Serialization;
using Hubel.Tensors;

namespace Hubel.Tests.Robustness;

/// <summary>Cases 56–61 of docs/ROBUSTNESS.md: a save that fails leaves the previous file exactly as it was and no
/// temporary or half-written file next to it.</summary>
public class SaveAtomicityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-save-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void R56_a_write_that_fails_midway_keeps_the_old_file()
    {
        File.WriteAllText(P("f.bin"), "old");
        Expect.Throws<IOException>(() => AtomicFile.Write(P("f.bin"), s =>
        {
            s.Write(new byte[10000]);
            throw new IOException("disk full (simulated)");
        }), null, "disk full");
        Assert.Equal("old", File.ReadAllText(P("f.bin")));
        Expect.OnlyFiles(_dir, "f.bin");
    }

    [Fact]
    public void R57_safetensors_save_with_duplicate_names_keeps_the_old_file()
    {
        SafeTensors.Save(P("w.safetensors"), [("a", Tensor.Ones([2]))]);
        var before = File.ReadAllBytes(P("w.safetensors"));
        Expect.Throws<ArgumentException>(() => SafeTensors.Save(P("w.safetensors"), [("b", Tensor.Ones([1])), ("b", Tensor.Ones([1]))]), "tensors", "duplicate tensor name 'b'");
        Assert.Equal(before, File.ReadAllBytes(P("w.safetensors")));
        Expect.OnlyFiles(_dir, "w.safetensors");
    }

    [Fact]
    public void R58_png_save_of_a_bad_shape_writes_nothing()
    {
        Expect.Throws<ArgumentException>(() => ImageFile.SavePng(P("x.png"), Tensor.Ones([2, 4, 4])), "image", "[3, H, W]", "[2, 4, 4]");
        Expect.OnlyFiles(_dir);
    }

    [Fact]
    public void R59_idx_write_with_mismatched_data_keeps_the_old_file()
    {
        IdxFile.Write(P("l.idx"), [3], [1, 2, 3]);
        Expect.Throws<ArgumentException>(() => IdxFile.Write(P("l.idx"), [4], [1, 2, 3]), "data", "3 bytes", "need 4");
        Assert.Equal([1, 2, 3], IdxFile.Read(P("l.idx")).Data);
        Expect.OnlyFiles(_dir, "l.idx");
    }

    [Fact]
    public void R60_saving_into_a_path_that_is_a_directory_fails_and_leaves_no_temporary_file()
    {
        Directory.CreateDirectory(P("taken"));
        var e = Assert.ThrowsAny<Exception>(() => SafeTensors.Save(P("taken"), [("a", Tensor.Ones([1]))]));
        Assert.True(e is IOException or UnauthorizedAccessException, $"unexpected {e.GetType().Name}: {e.Message}");
        Expect.OnlyFiles(_dir);
        Assert.Empty(Directory.GetFileSystemEntries(P("taken")));
    }
}
