using System;
using System.IO;
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

    /// <summary>Writes an array of floats: its length, then the values.</summary>
    public void WriteFloats(ReadOnlySpan<float> values)
    {
        Writer.Write(values.Length);
        foreach (float value in values)
            Writer.Write(value);
    }
}
