using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>The training-data file read independently of the library: header entries (dtype, shape), metadata, values.</summary>
internal sealed class TrainingDataFileReader
{
    private readonly byte[] _bytes;
    private readonly long _dataStart;

    private TrainingDataFileReader(byte[] bytes, JsonObject header, long dataStart)
    {
        _bytes = bytes;
        Header = header;
        _dataStart = dataStart;
    }

    public JsonObject Header { get; }

    public static TrainingDataFileReader Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = (JsonObject)JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)length))!;
        return new TrainingDataFileReader(bytes, header, 8 + length);
    }

    public string Metadata(string key) => Header["__metadata__"]![key]!.GetValue<string>();

    public JsonObject MetadataJson(string key) => (JsonObject)JsonNode.Parse(Metadata(key))!;

    public IEnumerable<string> TensorNames => Header.Select(p => p.Key).Where(k => k != "__metadata__");

    public string DType(string name) => Header[name]!["dtype"]!.GetValue<string>();

    public long[] Shape(string name) => Header[name]!["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();

    public float[] Floats(string name)
    {
        var (begin, end) = Offsets(name, "F32");
        var values = new float[(end - begin) / 4];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(_bytes.AsSpan((int)(_dataStart + begin + 4 * i), 4));
        return values;
    }

    public long[] Longs(string name)
    {
        var (begin, end) = Offsets(name, "I64");
        var values = new long[(end - begin) / 8];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(_bytes.AsSpan((int)(_dataStart + begin + 8 * i), 8));
        return values;
    }

    private (long Begin, long End) Offsets(string name, string dtype)
    {
        if (DType(name) != dtype)
            throw new InvalidOperationException($"tensor '{name}' is {DType(name)}, not {dtype}");
        var offsets = Header[name]!["data_offsets"]!.AsArray();
        return (offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
    }
}
