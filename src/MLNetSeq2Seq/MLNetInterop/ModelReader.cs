using System;
using System.IO;
using Microsoft.ML;

namespace MLNetSeq2Seq.MLNetInterop;

/// <summary>
/// Reads one component written by <see cref="ModelWriter"/>: checks the versioned header, then hands the body and
/// the named binary streams to the component's loader. Any damage surfaces as a <see cref="FormatException"/>
/// naming the component, never as a crash.
/// </summary>
internal sealed class ModelReader
{
    private readonly ModelLoadContext _context;

    private ModelReader(ModelLoadContext context, ModelFormat format)
    {
        _context = context;
        Format = format;
    }

    /// <summary>The body reader, positioned after the header.</summary>
    public BinaryReader Reader => _context.Reader;

    /// <summary>The format this reader was opened with.</summary>
    public ModelFormat Format { get; }

    /// <summary>The format version the model was written with (between Format.OldestReadableVersion and Format.CurrentVersion).</summary>
    public uint WrittenVersion => _context.Header.ModelVerWritten;

    /// <summary>Loads a component: checks the header against <paramref name="format"/>, then runs <paramref name="readBody"/>.</summary>
    public static T Load<T>(ModelLoadContext context, ModelFormat format, Func<ModelReader, T> readBody)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckAtModel(format.ToVersionInfo());
        try
        {
            return readBody(new ModelReader(context, format));
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or InvalidDataException or ArgumentException or OverflowException)
        {
            throw new FormatException($"The {format.LoaderSignature} model is damaged and cannot be loaded: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a named binary stream; a missing stream is a <see cref="FormatException"/>.</summary>
    public void ReadStream(string name, Action<Stream> read)
    {
        bool found = _context.TryLoadBinaryStream(name, reader => read(reader.BaseStream));
        if (!found)
            throw new FormatException($"The {Format.LoaderSignature} model has no '{name}' stream; the file is incomplete or was written by another component.");
    }

    /// <summary>Reads an array of floats written by <see cref="ModelWriter.WriteFloats"/>; <paramref name="maxLength"/> guards against a damaged length.</summary>
    public float[] ReadFloats(int maxLength)
    {
        int length = Reader.ReadInt32();
        if (length < 0 || length > maxLength)
            throw new InvalidDataException($"an array length of {length} is outside [0, {maxLength}]");
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = Reader.ReadSingle();
        return values;
    }
}
