using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using MLNetSeq2Seq.PyTorch;
using MLNetSeq2Seq.Tests.Reliability;
using Xunit;
using Xunit.Abstractions;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>
/// The safetensors reader checks what a header claims against the bytes present, seekable stream or not: a forged length
/// costs neither memory nor time, and every malformed header is an <see cref="InvalidDataException"/> (a
/// <see cref="FormatException"/> through the import), never another exception type.
/// </summary>
public sealed class SafeTensorsBoundsTests
{
    private readonly ITestOutputHelper _output;

    public SafeTensorsBoundsTests(ITestOutputHelper output) => _output = output;

    /// <summary>u64 header length, the header (padded to 8 bytes), then <paramref name="data"/>.</summary>
    private static byte[] Craft(string header, byte[]? data = null, ulong? claimedHeaderLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + (data?.Length ?? 0)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedHeaderLength ?? (ulong)padded);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        data?.CopyTo(bytes, 8 + padded);
        return bytes;
    }

    private static Stream Open(byte[] bytes, bool seekable) => seekable ? new MemoryStream(bytes, writable: false) : new ForwardOnlyStream(bytes);

    private void AssertRefusedCheaply(RefusalMeter.Refusal refusal, Type expected)
    {
        _output.WriteLine(refusal.ToString());
        Assert.True(refusal.Error?.GetType() == expected, $"expected {expected.Name}, got {refusal}");
        Assert.True(refusal.Elapsed < RefusalMeter.MaxTime, refusal.ToString());
        Assert.True(refusal.ManagedBytes < RefusalMeter.MaxGrowthBytes, refusal.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_small_stream_claiming_1_2_GB_of_tensor_data_is_refused_without_allocating_it(bool seekable)
    {
        // 300 million float32 values = 1.2 GB claimed; the stream holds a header and 8 bytes.
        byte[] file = Craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[300000000],\"data_offsets\":[0,1200000000]}}", new byte[8]);

        var refusal = RefusalMeter.Measure(() => SafeTensorsFile.Read(Open(file, seekable)));

        AssertRefusedCheaply(refusal, typeof(InvalidDataException));
        Assert.Contains("1200000000", refusal.Error!.Message);
        Assert.True(file.Length < 100, $"the crafted file is {file.Length} bytes");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_tensor_claiming_4_GB_is_refused_as_invalid_data_not_an_overflow(bool seekable)
    {
        byte[] file = Craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000],\"data_offsets\":[0,4000000000]}}", new byte[8]);

        var refusal = RefusalMeter.Measure(() => SafeTensorsFile.Read(Open(file, seekable)));

        AssertRefusedCheaply(refusal, typeof(InvalidDataException));
    }

    [Fact]
    public void A_header_length_of_100_MiB_on_a_20_byte_stream_that_cannot_seek_is_refused_without_allocating_it()
    {
        byte[] file = Craft("{}", claimedHeaderLength: 100UL << 20);

        var refusal = RefusalMeter.Measure(() => SafeTensorsFile.Read(new ForwardOnlyStream(file)));

        AssertRefusedCheaply(refusal, typeof(InvalidDataException));
        Assert.Contains("ends inside the header", refusal.Error!.Message);
    }

    public static IEnumerable<object[]> MalformedHeaders() => new[]
    {
        new object[] { "shape holds text", "{\"w\":{\"dtype\":\"F32\",\"shape\":[\"a\"],\"data_offsets\":[0,4]}}" },
        new object[] { "negative dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}" },
        new object[] { "fractional dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}" },
        new object[] { "null dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[null],\"data_offsets\":[0,4]}}" },
        new object[] { "nested shape", "{\"w\":{\"dtype\":\"F32\",\"shape\":[[1]],\"data_offsets\":[0,4]}}" },
        new object[] { "offsets as text", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",\"4\"]}}" },
        new object[] { "offset beyond int64", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1e30]}}" },
        new object[] { "shape whose product overflows int64", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,4]}}" },
        new object[] { "the same tensor name twice", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}" },
        new object[] { "metadata twice", "{\"__metadata__\":{\"a\":\"1\"},\"__metadata__\":{\"a\":\"2\"}}" },
        new object[] { "a metadata key twice", "{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}" },
        new object[] { "dtype as a number", "{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}" },
        new object[] { "root is an array", "[1,2,3]" },
        new object[] { "overlapping tensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}" },
        new object[] { "not JSON", "{\"w\":" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void A_malformed_header_is_invalid_data_on_any_stream_and_a_FormatException_through_the_import(string what, string header)
    {
        byte[] file = Craft(header, new byte[8]);

        foreach (bool seekable in new[] { true, false })
        {
            var refusal = RefusalMeter.Measure(() => SafeTensorsFile.Read(Open(file, seekable)));
            Assert.True(refusal.Error is InvalidDataException, $"{what} (seekable: {seekable}): {refusal}");
        }
        var import = Assert.Throws<FormatException>(() => new MLContext().Model.ImportSeq2SeqFromPyTorch(new ForwardOnlyStream(file)));
        Assert.IsType<InvalidDataException>(import.InnerException);
    }

    [Fact]
    public void An_architecture_field_given_twice_is_a_FormatException_naming_the_architecture()
    {
        var architecture = new MLNetSeq2Seq.Networks.NetworkArchitecture(2, 2, 4, HiddenSize: 8, LayerCount: 1, RecurrentCellType.Gru,
            Bidirectional: false, AttentionKind.None, Dropout: 0);
        string json = ArchitectureJson.Write(architecture);
        Assert.StartsWith("{\"input_feature_count\":2,", json);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = PyTorchInterchange.Format,
            ["format_version"] = PyTorchInterchange.FormatVersion,
            ["architecture"] = json.Replace("{\"input_feature_count\":2,", "{\"input_feature_count\":2,\"input_feature_count\":3,"),
            ["feature_column_name"] = "Features",
            ["score_column_name"] = "Score",
        };
        using var file = new MemoryStream();
        new SafeTensorsFile(metadata, new Dictionary<string, SafeTensor>()).Write(file);
        file.Position = 0;

        var error = Assert.Throws<FormatException>(() => new MLContext().Model.ImportSeq2SeqFromPyTorch(file));

        Assert.Contains("the architecture is malformed", error.Message);
    }

    [Fact]
    public void Invalid_UTF8_in_the_header_is_invalid_data()
    {
        byte[] file = Craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        file[10] = 0xFF; // inside the first key

        Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(new ForwardOnlyStream(file)));
        Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(new MemoryStream(file)));
    }

    [Fact]
    public void A_file_read_from_a_stream_that_cannot_seek_holds_the_same_tensors_as_from_a_file()
    {
        var tensors = new Dictionary<string, SafeTensor>
        {
            ["b"] = new(new long[] { 2, 3 }, Enumerable.Range(0, 6).Select(i => i * 0.5f - 1).ToArray()),
            ["a"] = new(new long[] { 4 }, new[] { float.Epsilon, -0f, 3.25f, float.MaxValue }),
            ["empty"] = new(new long[] { 0, 5 }, Array.Empty<float>()),
        };
        using var written = new MemoryStream();
        new SafeTensorsFile(new Dictionary<string, string> { ["k"] = "v" }, tensors).Write(written);
        byte[] bytes = written.ToArray();

        SafeTensorsFile fromSeekable = SafeTensorsFile.Read(new MemoryStream(bytes));
        SafeTensorsFile fromForwardOnly = SafeTensorsFile.Read(new ForwardOnlyStream(bytes));

        Assert.Equal("v", fromForwardOnly.Metadata["k"]);
        foreach (var (name, tensor) in tensors)
        {
            Assert.Equal(tensor.Shape, fromForwardOnly.Tensors[name].Shape);
            Assert.Equal(tensor.Values, fromForwardOnly.Tensors[name].Values);
            Assert.Equal(fromSeekable.Tensors[name].Values, fromForwardOnly.Tensors[name].Values);
        }
        Assert.Equal(fromSeekable.Tensors.Keys, fromForwardOnly.Tensors.Keys);

        // One byte more after the data: trailing bytes, refused on both kinds of stream.
        byte[] longer = bytes.Append((byte)0).ToArray();
        Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(new ForwardOnlyStream(longer)));
        Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(new MemoryStream(longer)));
    }
}
