using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.PyTorch;

/// <summary>
/// Writes TorchSharp tensors (float32 as "F32", int64 as "I64") and string metadata as a safetensors file without
/// holding the file in memory: the header is computed from the shapes, then each tensor is copied to the stream in
/// chunks of about <see cref="ChunkElements"/> values along its first dimension, so the memory used beyond the tensors
/// themselves is one chunk. Same layout as <see cref="SafeTensorsFile"/> (names sorted, header padded to 8 bytes).
/// </summary>
internal static class SafeTensorsStreamWriter
{
    /// <summary>Values copied per chunk (4 MiB of float32).</summary>
    public const long ChunkElements = 1L << 20;

    public static void Write(Stream stream, IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var header = new Dictionary<string, object>();
        if (metadata.Count > 0)
            header["__metadata__"] = metadata;
        string[] names = tensors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        long offset = 0;
        foreach (string name in names)
        {
            Tensor tensor = tensors[name];
            long bytes = tensor.NumberOfElements * ElementSize(tensor, name);
            header[name] = new Dictionary<string, object> { ["dtype"] = DType(tensor), ["shape"] = tensor.shape, ["data_offsets"] = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        SafeTensorsFile.WriteHeader(stream, header);
        foreach (string name in names)
            WriteValues(stream, tensors[name]);
        stream.Flush();
    }

    private static string DType(Tensor tensor) => tensor.dtype == ScalarType.Float32 ? "F32" : "I64";

    private static long ElementSize(Tensor tensor, string name) => tensor.dtype switch
    {
        ScalarType.Float32 => 4,
        ScalarType.Int64 => 8,
        _ => throw new ArgumentException($"Tensor '{name}' is {tensor.dtype}; this writer takes Float32 and Int64.", nameof(tensor)),
    };

    private static void WriteValues(Stream stream, Tensor tensor)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors is little-endian; this machine is not.");
        if (tensor.NumberOfElements == 0)
            return;
        using var scope = torch.NewDisposeScope();
        Tensor flat = tensor.dim() == 0 ? tensor.reshape(1) : tensor;
        long rows = flat.shape[0];
        long perRow = Math.Max(1, flat.NumberOfElements / rows);
        long rowsPerChunk = Math.Max(1, ChunkElements / perRow);
        for (long start = 0; start < rows; start += rowsPerChunk)
        {
            using var chunkScope = torch.NewDisposeScope();
            Tensor chunk = flat.narrow(0, start, Math.Min(rowsPerChunk, rows - start)).cpu().contiguous();
            if (chunk.dtype == ScalarType.Float32)
                stream.Write(MemoryMarshal.AsBytes(chunk.data<float>().ToArray().AsSpan()));
            else
                stream.Write(MemoryMarshal.AsBytes(chunk.data<long>().ToArray().AsSpan()));
        }
    }
}
