using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MLNetSeq2Seq.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// A module's weights as bytes in TorchSharp's state-dict format (<c>Module.save</c>: LEB128 entry count, then per
/// entry a length-prefixed UTF-8 name, LEB128 element type, rank and sizes, and the raw values), and back. Loading
/// first walks the whole blob against the module — entry count, names, element types, shapes, lengths — so that
/// nothing from a damaged or mismatched file reaches a tensor, an allocation or a native call; afterwards every value
/// must be finite. Problems are <see cref="InvalidDataException"/>s naming the tensor and the numbers.
/// </summary>
internal static class NetworkWeights
{
    private const int MaxNameBytes = 1024;
    private const int MaxRank = 16;

    public static byte[] Save(nn.Module module)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
            module.save(writer);
        return memory.ToArray();
    }

    /// <summary>How many tensors <paramref name="blob"/> says it holds (its first field), read before any network exists.</summary>
    public static long TensorCount(byte[] blob) => new BlobReader(blob).Varint("the weight count");

    /// <summary>Checks <paramref name="blob"/> against <paramref name="module"/>, loads it, and checks every value is finite.</summary>
    public static void Load(nn.Module module, byte[] blob)
    {
        Check(module, blob);
        using (var reader = new BinaryReader(new MemoryStream(blob, writable: false), Encoding.UTF8))
            module.load(reader, strict: true);
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!TensorScalars.ReadBoolean(tensor.isfinite().all()))
                throw new InvalidDataException($"weight '{name}' holds NaN or infinite values");
        }
    }

    private static void Check(nn.Module module, byte[] blob)
    {
        using var scope = torch.NewDisposeScope();
        Dictionary<string, Tensor> expected = module.state_dict();
        var reader = new BlobReader(blob);
        long count = reader.Varint("the weight count");
        if (count != expected.Count)
            throw new InvalidDataException($"the weights hold {count} tensors, but the network needs {expected.Count}");
        var seen = new HashSet<string>();
        for (long i = 0; i < count; i++)
        {
            string name = reader.Name();
            if (!expected.TryGetValue(name, out Tensor? tensor))
                throw new InvalidDataException($"the weights hold a tensor named '{Printable(name)}', which the network does not have");
            if (!seen.Add(name))
                throw new InvalidDataException($"the weights hold tensor '{name}' twice");
            long type = reader.Varint($"the element type of '{name}'");
            if (type != (long)tensor.dtype)
                throw new InvalidDataException($"weight '{name}' has element type {type} in the file, but the network needs {(int)tensor.dtype} ({tensor.dtype})");
            long rank = reader.Varint($"the rank of '{name}'");
            if (rank > MaxRank)
                throw new InvalidDataException($"weight '{name}' claims {rank} dimensions");
            var shape = new long[rank];
            for (int d = 0; d < rank; d++)
                shape[d] = reader.Varint($"the shape of '{name}'");
            if (!shape.SequenceEqual(tensor.shape))
                throw new InvalidDataException($"weight '{name}' is [{string.Join(", ", shape)}] in the file, but the saved architecture needs [{string.Join(", ", tensor.shape)}]");
            reader.Skip(tensor.NumberOfElements * tensor.ElementSize, $"the values of '{name}'");
        }
        if (reader.Remaining != 0)
            throw new InvalidDataException($"{reader.Remaining} bytes follow the last weight");
    }

    private static string Printable(string name) =>
        new(name.Take(80).Select(c => char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD' ? '?' : c).ToArray());

    /// <summary>Bounds-checked reading of a byte array; every read says what it was reading when it runs out.</summary>
    private sealed class BlobReader(byte[] blob)
    {
        private long _position;

        public long Remaining => blob.Length - _position;

        public long Varint(string what)
        {
            long value = 0;
            for (int shift = 0; shift < 63; shift += 7)
            {
                byte next = Byte(what);
                value |= (long)(next & 0x7F) << shift;
                if ((next & 0x80) == 0)
                    return value;
            }
            throw new InvalidDataException($"{what} is not a valid number");
        }

        public string Name()
        {
            int length = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (shift > 28)
                    throw new InvalidDataException("a weight name has an invalid length");
                byte next = Byte("a weight name");
                length |= (next & 0x7F) << shift;
                if ((next & 0x80) == 0)
                    break;
            }
            if (length > MaxNameBytes)
                throw new InvalidDataException($"a weight name claims {length} bytes");
            Skip(length, "a weight name");
            return Encoding.UTF8.GetString(blob, (int)(_position - length), length);
        }

        public void Skip(long count, string what)
        {
            if (count < 0 || count > Remaining)
                throw new InvalidDataException($"the weights end inside {what} ({Remaining} bytes left, {count} needed)");
            _position += count;
        }

        private byte Byte(string what)
        {
            Skip(1, what);
            return blob[_position - 1];
        }
    }
}
