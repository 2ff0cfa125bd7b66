using System.Buffers.Binary;
using System.Text;
using Hubel.Models;
using Hubel.Serialization;
using Hubel.Tensors;

namespace Hubel.Tests.Serialization;

public class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-st-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Round_trip_keeps_names_shapes_values_and_metadata()
    {
        var model = new LeNet5(rng: new Rng(3));
        var path = Path.Combine(_dir, "m.safetensors");
        SafeTensors.Save(path, model.NamedParameters(), new Dictionary<string, string> { ["model"] = "lenet5" });
        var (tensors, meta) = SafeTensors.Load(path);
        Assert.Equal("lenet5", meta["model"]);
        var fresh = new LeNet5(rng: new Rng(4));
        fresh.LoadParameters(tensors);
        Assert.Equal(model.Conv1.Weight.ToFloatArray(), fresh.Conv1.Weight.ToFloatArray());
        Assert.Equal(model.Fc3.Bias!.ToFloatArray(), fresh.Fc3.Bias!.ToFloatArray());
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    private string WriteRaw(string header, int dataBytes)
    {
        var path = Path.Combine(_dir, Guid.NewGuid() + ".safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}""", 12, "needs 8")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "outside")]
    [InlineData("""{"a":{"dtype":"C64","shape":[2],"data_offsets":[0,16]}}""", 16, "dtype 'C64'")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}""", 8, "overlap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}""", 4, "dimension")]
    [InlineData("""not json""", 0, "JSON")]
    public void Corrupt_files_are_rejected_with_the_reason(string header, int dataBytes, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(WriteRaw(header, dataBytes)));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Header_length_beyond_the_file_is_rejected()
    {
        var path = Path.Combine(_dir, "big.safetensors");
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("header length", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path)).Message);
    }

    [Fact]
    public void Saving_over_an_existing_file_replaces_it_atomically()
    {
        var path = Path.Combine(_dir, "x.safetensors");
        SafeTensors.Save(path, [("w", Tensor.Ones([2]))]);
        SafeTensors.Save(path, [("w", Tensor.Zeros([3]))]);
        Assert.Equal([3], SafeTensors.Load(path).Tensors["w"].Shape.ToArray());
        Assert.Single(Directory.GetFiles(_dir));
    }
}
