using System;
using System.IO;
using System.Security.Cryptography;
using Microsoft.ML;

namespace MLNetSeq2Seq.MLNetInterop;

/// <summary>
/// Writes one component into an ML.NET model: the versioned header, a body of plain binary values, and named
/// binary streams (large payloads such as network weights). <see cref="ModelReader"/> reads it back in the same order.
/// </summary>
internal sealed class ModelWriter
{
    private readonly ModelSaveContext _context;

    private ModelWriter(ModelSaveContext context) => _context = context;

    /// <summary>The body writer; values are read back in the order written.</summary>
    public BinaryWriter Writer => _context.Writer;

    /// <summary>Saves a component: header with <paramref name="format"/>, then whatever <paramref name="writeBody"/> writes.</summary>
    public static void Save(ModelSaveContext context, ModelFormat format, Action<ModelWriter> writeBody)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckAtModel();
        context.SetVersionInfo(format.ToVersionInfo());
        writeBody(new ModelWriter(context));
    }

    /// <summary>Writes a named binary stream beside the body (an entry of its own in the model zip).</summary>
    public void WriteStream(string name, Action<Stream> write)
    {
        _context.SaveBinaryStream(name, writer =>
        {
            writer.Flush();
            write(writer.BaseStream);
            writer.BaseStream.Flush();
        });
    }

    /// <summary>Writes what <paramref name="write"/> writes as one block of the body: long length, the bytes, their
    /// SHA-256 (32 bytes). <see cref="ModelReader.ReadCheckedBlock"/> verifies it before parsing anything.</summary>
    public void WriteCheckedBlock(Action<BinaryWriter> write)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true))
            write(writer);
        WriteChecked(Writer, memory.ToArray());
    }

    /// <summary>Writes <paramref name="bytes"/> as a named stream holding one checked block (length, bytes, SHA-256).</summary>
    public void WriteCheckedStream(string name, byte[] bytes)
    {
        WriteStream(name, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            WriteChecked(writer, bytes);
        });
    }

    private static void WriteChecked(BinaryWriter writer, byte[] bytes)
    {
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
        writer.Write(SHA256.HashData(bytes));
        writer.Flush();
    }

    /// <summary>Writes <paramref name="value"/> into the model's string table and its id into the body (ML.NET's
    /// SaveNonEmptyString); <see cref="ModelReader.ReadNonEmptyString"/> reads it back.</summary>
    public void WriteNonEmptyString(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _context.SaveNonEmptyString(value);
    }

    /// <summary>Writes an array of floats: its length, then the values.</summary>
    public void WriteFloats(ReadOnlySpan<float> values)
    {
        Writer.Write(values.Length);
        foreach (float value in values)
            Writer.Write(value);
    }
}
