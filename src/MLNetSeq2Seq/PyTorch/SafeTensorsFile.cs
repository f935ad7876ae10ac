using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace MLNetSeq2Seq.PyTorch;

/// <summary>
/// A safetensors file of float32 tensors (https://github.com/huggingface/safetensors), written and read without any
/// dependency: u64 little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a multiple of 8), then
/// the tensors' raw little-endian values. The JSON maps each tensor name to {"dtype": "F32", "shape": [...],
/// "data_offsets": [begin, end]} (offsets relative to the data after the header) and may hold "__metadata__", a map of
/// strings to strings. Reading checks everything against the file's length before any value is copied (on a stream
/// that cannot seek, it reads in bounded chunks instead): a damaged or foreign file gives an
/// <see cref="InvalidDataException"/> that says what is wrong, never a huge allocation or another exception type.
/// Limits: a header of at most 100 MiB (the reference implementation's), a tensor of at most 2^31 − 65 bytes.
/// </summary>
internal sealed class SafeTensorsFile
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100L << 20; // the reference implementation's own limit
    private const int MaxTensorBytes = int.MaxValue - 64; // one .NET array (Array.MaxLength) per tensor
    private const int ChunkBytes = 1 << 20;

    public SafeTensorsFile(IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, SafeTensor> tensors)
    {
        Metadata = metadata;
        Tensors = tensors;
    }

    /// <summary>The "__metadata__" map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors by name, in the order of the file's header.</summary>
    public IReadOnlyDictionary<string, SafeTensor> Tensors { get; }

    /// <summary>Writes the tensors (sorted by name, as the reference implementation does) and the metadata.</summary>
    public void Write(Stream stream)
    {
        var header = new Dictionary<string, object>();
        if (Metadata.Count > 0)
            header[MetadataKey] = Metadata;
        long offset = 0;
        string[] names = Tensors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        foreach (string name in names)
        {
            SafeTensor tensor = Tensors[name];
            long bytes = 4L * tensor.Values.Length;
            header[name] = new Dictionary<string, object> { ["dtype"] = "F32", ["shape"] = tensor.Shape, ["data_offsets"] = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        WriteHeader(stream, header);
        foreach (string name in names)
            WriteFloats(stream, Tensors[name].Values);
        stream.Flush();
    }

    /// <summary>Reads a whole file (float32 tensors only). Every size the header claims is checked against the bytes
    /// present (seekable streams) or read in bounded chunks (others), so memory follows the bytes really there; anything
    /// malformed is an <see cref="InvalidDataException"/>.</summary>
    public static SafeTensorsFile Read(Stream stream)
    {
        byte[] lengthBytes = ReadBytes(stream, 8, "the header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        long available = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, available))
            throw new InvalidDataException($"the safetensors header claims {headerLength} bytes, but at most {Math.Min(MaxHeaderBytes, available)} can follow: this is not a safetensors file, or it is truncated");
        byte[] headerBytes = ReadBytes(stream, (long)headerLength, "the header");
        var (metadata, entries) = ReadHeader(headerBytes);
        long dataLength = stream.CanSeek ? stream.Length - stream.Position : entries.Count == 0 ? 0 : entries.Max(e => e.End);
        CheckLayout(entries, dataLength);
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var entry in entries.OrderBy(e => e.Begin))
            values.Add(entry.Name, ReadFloats(stream, entry.End - entry.Begin, $"tensor '{entry.Name}'"));
        if (!stream.CanSeek && stream.ReadByte() >= 0)
            throw new InvalidDataException($"the tensors cover {dataLength} bytes, but the stream holds more: it has trailing bytes");
        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var entry in entries)
            tensors.Add(entry.Name, new SafeTensor(entry.Shape, values[entry.Name]));
        return new SafeTensorsFile(metadata, tensors);
    }

    private static (Dictionary<string, string> Metadata, List<(string Name, long[] Shape, long Begin, long End)> Entries) ReadHeader(byte[] headerBytes)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(headerBytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException("the safetensors header is not a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<(string Name, long[] Shape, long Begin, long End)>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                    throw new InvalidDataException($"the safetensors header names '{property.Name}' twice");
                if (property.Name == MetadataKey)
                    ReadMetadata(property.Value, metadata);
                else
                    entries.Add(ReadEntry(property.Name, property.Value));
            }
            return (metadata, entries);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the safetensors header is not valid JSON: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException or DecoderFallbackException)
        {
            // System.Text.Json's accessors throw these on values of an unexpected kind; the checks above should leave none.
            throw new InvalidDataException($"the safetensors header is malformed: {ex.Message}", ex);
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind == JsonValueKind.Null)
            return;
        if (element.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException("the safetensors '__metadata__' is not a JSON object");
        foreach (JsonProperty item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"the safetensors metadata '{item.Name}' is not a string");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new InvalidDataException($"the safetensors metadata names '{item.Name}' twice");
        }
    }

    private static (string Name, long[] Shape, long Begin, long End) ReadEntry(string name, JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String
            || !entry.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !entry.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new InvalidDataException($"tensor '{name}' has no valid dtype, shape and data_offsets in the safetensors header");
        if (dtype.GetString() != "F32")
            throw new InvalidDataException($"tensor '{name}' is {dtype.GetString()}; MLNetSeq2Seq networks are float32 (F32): convert it with tensor.float() before saving");
        long[] shape = shapeElement.EnumerateArray().Select(d => NonNegative(d) is long v ? v
            : throw new InvalidDataException($"tensor '{name}' has an invalid dimension {d.GetRawText()} in its shape")).ToArray();
        long begin = NonNegative(offsets[0]) ?? -1, end = NonNegative(offsets[1]) ?? -1;
        long elements = 1;
        foreach (long dimension in shape)
            elements = dimension == 0 || elements <= MaxTensorBytes / 4 / Math.Max(dimension, 1) ? elements * dimension
                : throw new InvalidDataException($"tensor '{name}' is too large ([{string.Join(", ", shape)}]): a tensor may hold at most {MaxTensorBytes / 4} float32 values");
        if (begin < 0 || end < begin || end - begin != 4 * elements)
            throw new InvalidDataException($"tensor '{name}' has data_offsets [{offsets[0].GetRawText()}, {offsets[1].GetRawText()}], which do not hold the {elements} float32 values of its shape [{string.Join(", ", shape)}]");
        return (name, shape, begin, end);
    }

    private static long? NonNegative(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long value) && value >= 0 ? value : null;

    // The tensors must cover the data exactly, without overlap (as the reference implementation requires).
    private static void CheckLayout(List<(string Name, long[] Shape, long Begin, long End)> entries, long dataLength)
    {
        long expected = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != expected)
                throw new InvalidDataException($"tensor '{entry.Name}' starts at byte {entry.Begin} of the data, but the tensors before it end at {expected} (overlap or gap)");
            expected = entry.End;
        }
        if (expected != dataLength)
            throw new InvalidDataException($"the tensors cover {expected} bytes, but the file holds {dataLength} bytes of data: it is truncated or has trailing bytes");
    }

    /// <summary>Reads <paramref name="count"/> bytes. A seekable stream was checked to hold them, so they are allocated
    /// at once; from any other stream they are read into a buffer that at most doubles as bytes arrive, so a length
    /// claimed by a damaged header costs at most twice the bytes that are really there.</summary>
    private static byte[] ReadBytes(Stream stream, long count, string what)
    {
        if (count > Array.MaxLength)
            throw new InvalidDataException($"{what} claims {count} bytes, more than one array can hold");
        int total = (int)count;
        var buffer = new byte[stream.CanSeek ? total : Math.Min(total, ChunkBytes)];
        int read = 0;
        while (read < total)
        {
            if (read == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(total, 2L * buffer.Length));
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
                throw new InvalidDataException($"the safetensors file ends inside {what} ({read} of {total} bytes)");
            read += n;
        }
        return buffer;
    }

    /// <summary>The safetensors header: its length (u64, little-endian), the JSON, spaces to an 8-byte boundary.</summary>
    internal static void WriteHeader(Stream stream, Dictionary<string, object> header)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padding = (8 - json.Length % 8) % 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(json.Length + padding));
        stream.Write(length);
        stream.Write(json);
        for (int i = 0; i < padding; i++)
            stream.WriteByte((byte)' ');
    }

    private static void WriteFloats(Stream stream, float[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        Span<byte> one = stackalloc byte[4];
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(one, value);
            stream.Write(one);
        }
    }

    private static float[] ReadFloats(Stream stream, long byteCount, string what)
    {
        byte[] bytes = ReadBytes(stream, byteCount, what);
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i, 4));
        return values;
    }
}

/// <summary>One float32 tensor of a <see cref="SafeTensorsFile"/>: its shape and its values, row-major.</summary>
internal sealed record SafeTensor(long[] Shape, float[] Values);
