using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>A saved model zip as a dictionary of entries, to damage one entry and write the zip again.</summary>
internal sealed class ModelZip
{
    public const string WeightsEntry = "TransformerChain/Weights";
    public const string BodyEntry = "TransformerChain/Model.key";

    // ML.NET's ModelHeader (Microsoft.ML.Core, Model/ModelHeader.cs): the component's format versions.
    public const int ModelVerWrittenOffset = 0x48;
    public const int ModelVerReadableOffset = 0x4C;

    private ModelZip(List<(string Name, byte[] Bytes)> entries) => Entries = entries;

    public List<(string Name, byte[] Bytes)> Entries { get; }

    public static ModelZip Read(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        var entries = new List<(string, byte[])>();
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            using var content = new MemoryStream();
            using (Stream stream = entry.Open())
                stream.CopyTo(content);
            entries.Add((entry.FullName, content.ToArray()));
        }
        return new ModelZip(entries);
    }

    public byte[] this[string name]
    {
        get => Entries.Single(e => e.Name == name).Bytes;
        set => Entries[Entries.FindIndex(e => e.Name == name)] = (name, value);
    }

    public byte[] ToBytes()
    {
        using var memory = new MemoryStream();
        using (var archive = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in Entries)
            {
                using Stream stream = archive.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }
        return memory.ToArray();
    }

    /// <summary>Where each entry's local header and data lie in a zip file: (name, first byte, byte after the data).</summary>
    public static List<(string Name, int Start, int End)> LocalRanges(byte[] zip)
    {
        var ranges = new List<(string, int, int)>();
        for (int at = 0; at + 30 <= zip.Length && BitConverter.ToUInt32(zip, at) == 0x04034B50;)
        {
            int compressedSize = BitConverter.ToInt32(zip, at + 18);
            int nameLength = BitConverter.ToUInt16(zip, at + 26), extraLength = BitConverter.ToUInt16(zip, at + 28);
            string name = System.Text.Encoding.UTF8.GetString(zip, at + 30, nameLength);
            int end = at + 30 + nameLength + extraLength + compressedSize;
            ranges.Add((name, at, end));
            at = end;
        }
        return ranges;
    }

    /// <summary>Where the body's checked block starts in <see cref="BodyEntry"/>: right after ML.NET's 256-byte header.</summary>
    public const int BodyBlockOffset = 0x100;

    /// <summary>The payload of a checked block (long length, bytes, SHA-256), as the weights stream holds one.</summary>
    public static byte[] CheckedPayload(byte[] block) => block.AsSpan(8, (int)BitConverter.ToInt64(block, 0)).ToArray();

    /// <summary>A copy of <paramref name="entry"/> whose checked block at <paramref name="offset"/> was changed by
    /// <paramref name="change"/> (same length) and given a matching checksum again: damage the checksum cannot see.</summary>
    public static byte[] Resealed(byte[] entry, int offset, Action<byte[]> change)
    {
        byte[] copy = (byte[])entry.Clone();
        int length = (int)BitConverter.ToInt64(copy, offset);
        byte[] payload = copy.AsSpan(offset + 8, length).ToArray();
        change(payload);
        payload.CopyTo(copy, offset + 8);
        SHA256.HashData(payload).CopyTo(copy, offset + 8 + length);
        return copy;
    }

    /// <summary>A valid checked block around <paramref name="payload"/>: right length, right checksum.</summary>
    public static byte[] CheckedBlock(byte[] payload) =>
        BitConverter.GetBytes((long)payload.Length).Concat(payload).Concat(SHA256.HashData(payload)).ToArray();
}
